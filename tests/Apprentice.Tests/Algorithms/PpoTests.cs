using Apprentice.Algorithms;
using Apprentice.Algorithms.Common;
using Apprentice.Envs;
using Apprentice.Policies;
using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;
using Apprentice.Tensors.Serialization;

namespace Apprentice.Tests.Algorithms;

public sealed class PpoTests
{
    private static IEnv<float[], int> CartPole(int copy) => EnvRegistry.Default.MakeDiscrete("CartPole-v1");
    private static IEnv<float[], float[]> Pendulum(int copy) => EnvRegistry.Default.MakeContinuous("Pendulum-v1");

    // Small rollouts so that episodes run across iteration boundaries (the checkpoint must replay them).
    private static readonly PpoOptions Small = new()
    {
        TotalSteps = 6 * 4 * 64, Envs = 4, StepsPerEnv = 64, Epochs = 2, Minibatches = 2, ValueClipRange = 0.2, PolicyHiddenSizes = [16], ValueHiddenSizes = [16],
    };

    [Fact]
    public void A_scaled_budget_is_whole_rollouts_never_more_than_asked_and_at_least_one()
    {
        var recipe = new PpoOptions { TotalSteps = 100_000, Envs = 8, StepsPerEnv = 32 };
        Assert.Equal(99_840, recipe.WithBudgetScale(1).TotalSteps);                // as training rounds it: 390 rollouts of 256
        Assert.Equal(recipe.Iterations, recipe.WithBudgetScale(1).Iterations);
        Assert.Equal(49_920, recipe.WithBudgetScale(0.5).TotalSteps);
        Assert.Equal(256, recipe.WithBudgetScale(1e-6).TotalSteps);
        Assert.Equal(2048, new PpoOptions { TotalSteps = 204_800, Envs = 8, StepsPerEnv = 256 }.WithBudgetScale(0.01).TotalSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => recipe.WithBudgetScale(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => recipe.WithBudgetScale(double.NaN));
    }

    [Fact]
    public void Learns_cartpole_far_above_a_random_policy()
    {
        // Stable-Baselines3 zoo's CartPole settings; a random policy averages about 22. With half the
        // epochs only some seeds passed (seeds 0-5 gave 121-493), so any change in float rounding
        // could flip the result; with the full 20 epochs seeds 0-5 all reached 500, the maximum.
        var options = new PpoOptions
        {
            TotalSteps = 40_960, Envs = 8, StepsPerEnv = 32, Minibatches = 1, Epochs = 20, Gamma = 0.98, Lambda = 0.8,
            LearningRate = 1e-3, EntropyCoefficient = 0,
        };
        using var trainer = new PpoTrainer<int>(CartPole, options, new Rng(0), NullTrainingLog.Instance);
        trainer.Train();

        Assert.Equal(40_960, trainer.Steps);
        Assert.True(trainer.MeanRecentReturn(20) >= 450, $"mean return of the last 20 episodes: {trainer.MeanRecentReturn(20)}");
    }

    [Fact]
    public void Same_seed_gives_the_same_parameters_and_logs_bit_for_bit()
    {
        var (first, firstLog) = TrainSmall(seed: 7);
        var (second, secondLog) = TrainSmall(seed: 7);
        var (other, _) = TrainSmall(seed: 8);

        AssertSameParameters(first, second);
        Assert.Equal(firstLog.Scalars, secondLog.Scalars);
        Assert.False(first.Policy.Parameters()[0].Span.SequenceEqual(other.Policy.Parameters()[0].Span));
        first.Dispose();
        second.Dispose();
        other.Dispose();
    }

    [Fact]
    public void A_resumed_discrete_run_continues_bit_for_bit()
    {
        using var folder = new TemporaryFolder();
        var uninterruptedLog = new MemoryTrainingLog();
        using var uninterrupted = new PpoTrainer<int>(CartPole, Small, new Rng(3), uninterruptedLog);
        uninterrupted.Train();

        using (var first = new PpoTrainer<int>(CartPole, Small, new Rng(3), NullTrainingLog.Instance))
        {
            for (int i = 0; i < 3; i++) first.Iterate();
            Assert.Contains(first.Rollout.Terminated.ToArray(), t => t);          // episodes ended, and others are under way
            first.SaveCheckpoint(folder.Path);
        }
        var resumedLog = new MemoryTrainingLog();
        using var resumed = PpoTrainer<int>.Resume(folder.Path, CartPole, resumedLog);
        Assert.Equal(3, resumed.Iteration);
        resumed.Train();

        AssertSameParameters(uninterrupted, resumed);
        Assert.Equal(uninterrupted.Steps, resumed.Steps);
        Assert.Equal(uninterrupted.RecentEpisodeReturns, resumed.RecentEpisodeReturns);
        var tail = uninterruptedLog.Scalars.Skip(uninterruptedLog.Scalars.Count - resumedLog.Scalars.Count);
        Assert.Equal(tail, resumedLog.Scalars);
    }

    [Fact]
    public void A_resumed_continuous_run_with_normalisation_continues_bit_for_bit()
    {
        using var folder = new TemporaryFolder();
        var options = Small with { NormalizeObservations = true, NormalizeRewards = true, TotalSteps = 4 * 4 * 64, Gamma = 0.9, TargetKl = 0.05 };
        using var uninterrupted = new PpoTrainer<float[]>(Pendulum, options, new Rng(5), NullTrainingLog.Instance);
        uninterrupted.Train();

        using (var first = new PpoTrainer<float[]>(Pendulum, options, new Rng(5), NullTrainingLog.Instance))
        {
            first.Iterate();
            first.Iterate();
            first.SaveCheckpoint(folder.Path);                                    // Pendulum's 200-step episodes are all mid-way here
        }
        using var resumed = PpoTrainer<float[]>.Resume(folder.Path, Pendulum, NullTrainingLog.Instance);
        resumed.Train();

        AssertSameParameters(uninterrupted, resumed);
        Assert.Equal(uninterrupted.Policy.ObservationMean.ToArray(), resumed.Policy.ObservationMean.ToArray());
    }

    [Fact]
    public void Resume_can_extend_the_run_and_rejects_a_torn_checkpoint()
    {
        using var folder = new TemporaryFolder();
        using (var first = new PpoTrainer<int>(CartPole, Small, new Rng(1), NullTrainingLog.Instance))
        {
            first.Train(folder.Path);
            Assert.Throws<InvalidOperationException>(() => first.Iterate());
        }
        using (var longer = PpoTrainer<int>.Resume(folder.Path, CartPole, NullTrainingLog.Instance, totalSteps: Small.TotalSteps + Small.BatchSize))
        {
            Assert.False(longer.Done);
            longer.Iterate();
            longer.Value.Save(Path.Combine(folder.Path, "value.safetensors"),
                new Dictionary<string, string> { ["iteration"] = "7" });              // as if a crash came before trainer.json
        }
        var e = Assert.Throws<InvalidDataException>(() => PpoTrainer<int>.Resume(folder.Path, CartPole, NullTrainingLog.Instance));
        Assert.Contains("iteration 7", e.Message);
        Assert.Contains("iteration 6", e.Message);
    }

    [Fact]
    public void Truncated_steps_bootstrap_from_the_final_observation_and_terminated_steps_do_not()
    {
        // A 15-step limit: a near-random policy both falls (terminated) and runs out of time (truncated).
        static IEnv<float[], int> ShortCartPole(int copy) => EnvRegistry.Default.MakeDiscrete("CartPole-v1", new EnvMakeOptions { MaxEpisodeSteps = 15 });
        float[] nextValues = [];
        PpoTrainer<int>? trainer = null;
        void RecordNextValues(RolloutBuffer rollout)
        {
            using (Tensor.NoGrad()) nextValues = trainer!.Value.Forward(rollout.NextObservationTensor()).ToArray();
        }
        var options = Small with { Epochs = 1, Gamma = 0.9, Lambda = 0.7 };
        using (trainer = new PpoTrainer<int>(ShortCartPole, options, new Rng(2), NullTrainingLog.Instance, RecordNextValues))
            trainer.Iterate();

        var r = trainer.Rollout;
        int truncations = 0, terminations = 0;
        for (int k = 0; k < r.Count; k++)
        {
            if (r.Truncated[k])
            {
                truncations++;
                Assert.Equal(r.Rewards[k] + 0.9f * nextValues[k] - r.Values[k], r.Advantages[k], 4);
            }
            else if (r.Terminated[k])
            {
                terminations++;
                Assert.Equal(r.Rewards[k] - r.Values[k], r.Advantages[k], 5);
            }
            else if (k < r.Count - r.Envs)                                       // within an episode: s′ is the next row's s
                Assert.Equal(r.Observations.Slice((k + r.Envs) * r.ObservationDimension, r.ObservationDimension).ToArray(),
                    r.NextObservations.Slice(k * r.ObservationDimension, r.ObservationDimension).ToArray());
        }
        Assert.True(truncations > 0 && terminations > 0, $"{truncations} truncations, {terminations} terminations");
    }

    [Fact]
    public void The_reward_hook_rewrites_rewards_before_advantages_and_logged_returns_stay_the_envs()
    {
        var calls = new List<int>();
        void ZeroRewards(RolloutBuffer rollout)
        {
            calls.Add(rollout.Iteration);
            rollout.Rewards.Clear();
        }
        var log = new MemoryTrainingLog();
        using var trainer = new PpoTrainer<int>(CartPole, Small with { TotalSteps = 2 * Small.BatchSize }, new Rng(4), log, ZeroRewards);
        trainer.Train();

        Assert.Equal([0, 1], calls);
        var r = trainer.Rollout;
        Assert.All(r.EnvRewards.ToArray(), reward => Assert.Equal(1f, reward));
        for (int k = 0; k < r.Count; k++)
            if (r.Terminated[k]) Assert.Equal(0f, r.Returns[k]);                 // 0 reward, nothing after: the target is 0, not 1
        var returns = log.Series("ppo/episode_return");
        Assert.NotEmpty(returns);
        Assert.Equal(log.Series("ppo/episode_length").Select(s => s.Value), returns.Select(s => s.Value));   // CartPole pays 1 per step
    }

    [Fact]
    public void A_reward_hook_that_leaves_a_non_finite_reward_is_named()
    {
        using var trainer = new PpoTrainer<int>(CartPole, Small, new Rng(4), NullTrainingLog.Instance, r => r.Rewards[5] = float.NaN);
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Iterate());
        Assert.Contains("NaN", e.Message);
        Assert.Contains("step 1, env copy 1", e.Message);
    }

    [Fact]
    public void Logs_namespaced_scalars_and_progress()
    {
        var (trainer, log) = TrainSmall(seed: 1);
        using var _ = trainer;
        foreach (var name in new[] { "ppo/episode_return", "ppo/approx_kl", "ppo/clip_fraction", "ppo/entropy", "ppo/value_loss", "ppo/policy_loss", "ppo/explained_variance" })
            Assert.NotEmpty(log.Series(name));
        Assert.Equal(Small.Iterations, log.Series("ppo/approx_kl").Count);
        Assert.All(log.Series("ppo/entropy"), s => Assert.InRange(s.Value, 0, Math.Log(2)));
    }

    [Fact]
    public void The_saved_policy_carries_its_observation_normalisation()
    {
        using var folder = new TemporaryFolder();
        var options = Small with { NormalizeObservations = true, TotalSteps = 2 * Small.BatchSize };
        using var trainer = new PpoTrainer<float[]>(Pendulum, options, new Rng(6), NullTrainingLog.Instance);
        var policy = (ContinuousPolicy)trainer.Train(folder.Path);

        var loaded = PolicyFile.LoadContinuous(Path.Combine(folder.Path, "policy.safetensors"));
        Assert.Equal(ContinuousHead.Gaussian, loaded.Architecture.Head);
        Assert.Contains(policy.ObservationStd.ToArray(), s => s != 1f);
        Assert.Equal(policy.ObservationMean.ToArray(), loaded.ObservationMean.ToArray());
        float[] observation = [0.3f, -0.9f, 2.5f];
        Assert.Equal(policy.Act(observation, new Rng(0)), loaded.Act(observation, new Rng(0)));
    }

    [Fact]
    public void Orthogonal_init_gives_a_near_uniform_first_policy()
    {
        using var trainer = new PpoTrainer<int>(CartPole, Small, new Rng(0), NullTrainingLog.Instance);
        var policy = (DiscretePolicy)trainer.Policy;
        Tensor probabilities;
        using (Tensor.NoGrad()) probabilities = policy.Distribution(Tensor.FromArray([0.1f, 0.5f, -0.05f, -0.4f], 1, 4)).Probs;
        Assert.InRange(probabilities.Span[0], 0.48f, 0.52f);                    // the 0.01-gain output layer
        var hidden = (Linear)policy.Network.Children()[0].Module;
        Assert.All(hidden.Bias!.Span.ToArray(), b => Assert.Equal(0f, b));
    }

    [Theory]
    [InlineData("Minibatches", "must divide")]
    [InlineData("TotalSteps", "at least one rollout")]
    [InlineData("Gamma", "Gamma in [0, 1]")]
    [InlineData("ClipRange", "positive ClipRange")]
    [InlineData("PolicyHiddenSizes", "widths must be positive")]
    [InlineData("NormalizeAdvantages", "at least 2 transitions")]
    public void Rejects_options_that_cannot_train(string setting, string message)
    {
        var options = setting switch
        {
            "Minibatches" => Small with { Minibatches = 3 },
            "TotalSteps" => Small with { TotalSteps = Small.BatchSize - 1 },
            "Gamma" => Small with { Gamma = 1.5 },
            "ClipRange" => Small with { ClipRange = 0 },
            "PolicyHiddenSizes" => Small with { PolicyHiddenSizes = [16, 0] },
            _ => Small with { Minibatches = Small.BatchSize },
        };
        var e = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(message, e.Message);
        Assert.ThrowsAny<ArgumentException>(() => new PpoTrainer<int>(CartPole, options, new Rng(0), NullTrainingLog.Instance));
    }

    [Fact]
    public void Rejects_action_spaces_it_has_no_head_for()
    {
        var e = Assert.Throws<ArgumentException>(() => new PpoTrainer<int[]>(c => new MultiDiscreteEnv(), Small, new Rng(0), NullTrainingLog.Instance));
        Assert.Contains("Discrete and Box action spaces", e.Message);
        Assert.Contains("MultiDiscrete", e.Message);
    }

    private static (PpoTrainer<int> Trainer, MemoryTrainingLog Log) TrainSmall(long seed)
    {
        var log = new MemoryTrainingLog();
        var trainer = new PpoTrainer<int>(CartPole, Small, new Rng(seed), log);
        trainer.Train();
        return (trainer, log);
    }

    private static void AssertSameParameters<TAction>(PpoTrainer<TAction> expected, PpoTrainer<TAction> actual)
    {
        foreach (var (a, b) in new[] { ((Module)expected.Policy, (Module)actual.Policy), (expected.Value, actual.Value) })
        {
            var x = a.StateDict();
            var y = b.StateDict();
            Assert.Equal(x.Keys, y.Keys);
            foreach (var name in x.Keys)
                Assert.True(x[name].Span.SequenceEqual(y[name].Span), $"{name} differs");
        }
    }

    private sealed class MultiDiscreteEnv : IEnv<float[], int[]>
    {
        public Space<float[]> ObservationSpace { get; } = new Box([-1f], [1f]);
        public Space<int[]> ActionSpace { get; } = new MultiDiscrete([2, 3]);
        public EnvSpec? Spec => null;
        public ResetResult<float[]> Reset(long? seed = null, IReadOnlyDictionary<string, double>? options = null) => new([0f], EnvInfo.Empty);
        public StepResult<float[]> Step(int[] action) => new([0f], 0, false, false, EnvInfo.Empty);
        public RgbFrame Render() => throw new NotSupportedException();
        public void Dispose() { }
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apprentice-ppo-" + Guid.NewGuid().ToString("N"));
        public void Dispose()
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
    }
}
