using System.Globalization;
using System.Text.RegularExpressions;
using Apprentice.Cli.Commands;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Evaluation;
using Apprentice.Experts;
using Apprentice.Policies;
using Apprentice.Spaces;
using Apprentice.Tensors.Random;

namespace Apprentice.Cli.Tests;

public sealed class ExpertsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apprentice-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // One rollout of CartPole's recipe (8 envs × 32 steps): checks the plumbing in well under a second; learning is tested elsewhere.
    private const string TinyBudget = "256";

    private string TrainCartPole(string output, string seed = "0")
    {
        var (code, text) = CliHarness.Run("experts", "train", "CartPole-v1", "--out", output, "--steps", TinyBudget, "--seed", seed);
        Assert.True(code == ExitCodes.Ok, text);
        return text;
    }

    private static double PrintedEvaluation(string output) =>
        double.Parse(Regex.Match(output, @"Evaluation: mean return (-?\d+\.\d+) over 20 episodes").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void ListShowsScriptedExpertsAndRecipesWithTheirBudgets()
    {
        var (code, output) = CliHarness.Run("experts", "list");
        Assert.Equal(ExitCodes.Ok, code);
        var cartPole = output.Split('\n').Single(line => line.Contains(" CartPole-v1 "));
        Assert.Contains("yes", cartPole);
        Assert.Contains($"{PpoExperts.CartPoleOptions.Iterations * PpoExperts.CartPoleOptions.BatchSize:N0} steps", cartPole);
        var gridWorld = output.Split('\n').Single(line => line.Contains(" GridWorld-v0 "));
        Assert.DoesNotContain("yes", gridWorld);
        Assert.DoesNotContain("steps", gridWorld);
    }

    [Fact]
    public void TrainWritesAReloadableExpertThatEvaluatesToThePrintedReturn()
    {
        string output = TrainCartPole(_dir);
        string path = Path.Combine(_dir, "cartpole-v1.safetensors");
        Assert.Contains("iteration    1/1", output);
        Assert.Contains("Saved", output);

        var policy = PolicyFile.LoadDiscrete(path);
        using var env = EnvRegistry.Default.MakeDiscrete("CartPole-v1");
        double evaluated = Evaluator.Evaluate(env, policy, PpoExperts.Evaluation, new Rng(0)).ReturnMean;
        Assert.Equal(evaluated.ToString("F2", CultureInfo.InvariantCulture), PrintedEvaluation(output).ToString("F2", CultureInfo.InvariantCulture));

        var (code, evalOutput) = CliHarness.Run("eval", "--expert", path, "-n", "20");      // the env comes from the manifest
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($" {evaluated.ToString("F2", CultureInfo.InvariantCulture)} ", evalOutput);
    }

    [Fact]
    public void RetrainingWithTheSameSeedGivesTheSameFileAndAnotherSeedReplacesIt()
    {
        string path = Path.Combine(_dir, "expert.safetensors");
        TrainCartPole(path);
        byte[] first = File.ReadAllBytes(path);
        TrainCartPole(path);
        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Contains("Replaced", TrainCartPole(path, seed: "1"));
        Assert.NotEqual(first, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("Nope-v9", "Unknown env id 'Nope-v9'")]
    [InlineData("MountainCar-v0", "No PPO recipe for 'MountainCar-v0'. Recipes exist for: CartPole-v1")]
    public void UnknownEnvsAndEnvsWithoutARecipeAreBadInput(string env, string expected)
    {
        var (code, output) = CliHarness.Run("experts", "train", env, "--out", _dir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, Flat(output));
        Assert.DoesNotContain("   at ", output);
    }

    [Theory]
    [InlineData("--steps", "100", "--steps must cover at least one rollout")]
    [InlineData("--steps", "-5", "--steps must cover at least one rollout")]
    [InlineData("--steps", "many", "Cannot parse argument 'many'")]
    [InlineData("--seed", "-1", "--seed must be ≥ 0")]
    public void BadNumbersAreBadInputAndLeaveAnEarlierExpertAlone(string option, string value, string expected)
    {
        string path = Path.Combine(_dir, "cartpole-v1.safetensors");
        File.WriteAllText(path, "earlier expert");
        var (code, output) = CliHarness.Run("experts", "train", "CartPole-v1", "--out", _dir, option, value);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, Flat(output));
        Assert.Equal("earlier expert", File.ReadAllText(path));
    }

    [Fact]
    public void UnwritablePlacesFailBeforeTraining()
    {
        string notAFolder = Path.Combine(_dir, "file.txt");
        File.WriteAllText(notAFolder, "");
        var (code, output) = CliHarness.Run("experts", "train", "CartPole-v1", "--out", notAFolder, "--steps", TinyBudget);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("exists and is not a .safetensors file", Flat(output));

        (code, output) = CliHarness.Run("experts", "train", "CartPole-v1", "--out", Path.Combine(_dir, "missing", "x.safetensors"), "--steps", TinyBudget);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("does not exist", Flat(output));

        Directory.CreateDirectory(Path.Combine(_dir, "x.json"));                // the manifest's place is taken by a folder
        (code, output) = CliHarness.Run("experts", "train", "CartPole-v1", "--out", Path.Combine(_dir, "x.safetensors"), "--steps", TinyBudget);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("is a folder", Flat(output));
        Assert.DoesNotContain("Training", output);
    }

    [Fact]
    public void CollectAndDaggerUseASavedExpert()
    {
        TrainCartPole(_dir);
        string expert = Path.Combine(_dir, "cartpole-v1.safetensors"), demos = Path.Combine(_dir, "demos.apds");
        var (code, output) = CliHarness.Run("collect", "--env", "CartPole-v1", "--expert", expert, "-n", "3", "--envs", "2", "-o", demos);
        Assert.True(code == ExitCodes.Ok, output);

        // The recorded actions are the saved policy's own deterministic choices (the scripted expert would differ).
        var policy = PolicyFile.LoadDiscrete(expert);
        var transitions = Transitions.FromTrajectories(DemonstrationFile.Load(demos));
        float[] observations = transitions.Observations.ToArray(), actions = transitions.Actions.ToArray();
        int width = transitions.ObservationSize;
        Assert.Equal(transitions.Count, actions.Length);
        for (int i = 0; i < transitions.Count; i++)
            Assert.Equal(policy.Act(observations[(i * width)..((i + 1) * width)], new Rng(0)), (int)actions[i]);

        (code, output) = CliHarness.Run("train", "dagger", "--env", "CartPole-v1", "-d", demos, "--expert", expert, "--rounds", "1", "--steps", "20",
            "-o", Path.Combine(_dir, "learner.safetensors"));
        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("round 1", output);
    }

    [Fact]
    public void SavedExpertsThatDoNotFitOrDoNotLoadAreBadInput()
    {
        TrainCartPole(_dir);
        string expert = Path.Combine(_dir, "cartpole-v1.safetensors");

        var (code, output) = CliHarness.Run("collect", "--env", "MountainCar-v0", "--expert", expert, "-n", "1", "-o", Path.Combine(_dir, "d.apds"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("reads 4 observation values; MountainCar-v0 has 2", Flat(output));
        Assert.False(File.Exists(Path.Combine(_dir, "d.apds")));

        (code, output) = CliHarness.Run("eval", "--expert", expert, "--env", "Acrobot-v1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("reads 4 observation values; Acrobot-v1 has 6", Flat(output));

        (code, output) = CliHarness.Run("collect", "--env", "CartPole-v1", "--expert", Path.Combine(_dir, "none.safetensors"), "-n", "1", "-o", Path.Combine(_dir, "d.apds"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("none.safetensors: policy file not found", Flat(output));

        File.WriteAllText(PolicyFile.ManifestPath(expert), "{ not json");
        (code, output) = CliHarness.Run("eval", "--expert", expert);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("cannot load the policy", Flat(output));

        TrainCartPole(_dir);
        File.WriteAllBytes(expert, [1, 2, 3]);
        (code, output) = CliHarness.Run("collect", "--env", "CartPole-v1", "--expert", expert, "-n", "1", "-o", Path.Combine(_dir, "d.apds"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("cannot load the policy", Flat(output));
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void ActionSpacesMustMatchTheEnv()
    {
        using var env = EnvRegistry.Default.MakeDiscrete("CartPole-v1");
        var observations = (Box)env.ObservationSpace;
        var architecture = new PolicyArchitecture();
        var threeActions = new DiscretePolicy(observations, new Discrete(3), architecture, new Rng(0));
        var continuous = new ContinuousPolicy(observations, new Box(-1, 1, 1), architecture, new Rng(0));

        var e = Assert.Throws<CliException>(() => ExpertSource.Fitting(threeActions, "p.safetensors", "CartPole-v1", env));
        Assert.Contains("chooses actions Discrete(3); CartPole-v1 takes discrete actions Discrete(2)", e.Message);
        e = Assert.Throws<CliException>(() => ExpertSource.Fitting(continuous, "p.safetensors", "CartPole-v1", env));
        Assert.Contains("chooses continuous actions; CartPole-v1 takes discrete actions", e.Message);
        var fits = new DiscretePolicy(observations, new Discrete(2), architecture, new Rng(0));
        Assert.Same(fits, ExpertSource.Fitting(fits, "p.safetensors", "CartPole-v1", env));
    }

    [Fact]
    public void ExpertIsRejectedForBehaviourCloning()
    {
        string demos = Path.Combine(_dir, "demos.apds");
        Assert.Equal(ExitCodes.Ok, CliHarness.Run("collect", "--env", "CartPole-v1", "-n", "1", "-o", demos).ExitCode);
        var (code, output) = CliHarness.Run("train", "bc", "--env", "CartPole-v1", "-d", demos, "--expert", "x.safetensors", "-o", Path.Combine(_dir, "p.safetensors"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--expert is for dagger", output);
    }

    private static string Flat(string output) => Regex.Replace(output, @"\s+", " ");
}
