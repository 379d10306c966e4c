using Apprentice.Algorithms.Common;
using Apprentice.Experts;
using Apprentice.Policies;
using Apprentice.Tensors.Random;

namespace Apprentice.Tests.Experts;

public sealed class PpoExpertsTests
{
    [Fact]
    public void Saves_a_self_contained_policy_with_its_measurements()
    {
        string folder = Path.Combine(Path.GetTempPath(), "apprentice-ppo-experts-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A tiny budget: this checks the plumbing; the full settings' results are measured, not tested here.
            var options = PpoExperts.PendulumOptions with { TotalSteps = 2048, StepsPerEnv = 256, Minibatches = 4, Epochs = 1 };
            var expert = PpoExperts.TrainPendulum(folder, new Rng(0), NullTrainingLog.Instance, options);

            Assert.Equal(Path.Combine(folder, "pendulum-v1.safetensors"), expert.PolicyPath);
            Assert.Equal(2048, expert.Steps);
            Assert.InRange(expert.EvaluationReturn, -2000, 0);                 // Pendulum pays at most 0 per step, about −16.3 at worst
            var loaded = PolicyFile.LoadContinuous(expert.PolicyPath!);
            Assert.Equal(((ContinuousPolicy)expert.Policy).ObservationMean.ToArray(), loaded.ObservationMean.ToArray());
            Assert.Contains("\"evaluation_return\"", File.ReadAllText(PolicyFile.ManifestPath(expert.PolicyPath!)));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_measured_settings_are_valid()
    {
        PpoExperts.CartPoleOptions.Validate();
        PpoExperts.PendulumOptions.Validate();
        PpoExperts.AcrobotOptions.Validate();
        Assert.True(PpoExperts.CartPoleOptions.TotalSteps <= 100_000);         // the budget for CartPole
    }
}
