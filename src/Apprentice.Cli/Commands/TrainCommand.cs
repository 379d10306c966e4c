using System.CommandLine;
using Apprentice.Algorithms;
using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Envs.Vector;
using Apprentice.Policies;
using Apprentice.Spaces;
using Apprentice.Tensors.Random;
using Spectre.Console;

namespace Apprentice.Cli.Commands;

/// <summary><c>apprentice train bc|dagger</c>: fit a policy to a demonstrations file (DAgger also asks the env's scripted expert).</summary>
public static class TrainCommand
{
    /// <summary>Declares the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var algorithm = new Argument<string>("algorithm") { Description = "bc (behaviour cloning) or dagger." }.AcceptOnlyFromAmong("bc", "dagger");
        var env = new Option<string>("--env", "-e") { Description = "Env id the demonstrations come from.", DefaultValueFactory = _ => "CliffRacetrack-v1" };
        var demos = new Option<string>("--demos", "-d") { Description = "Demonstrations: .apds or .npz.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Policy weights (.safetensors); a .json manifest is written beside it.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Gradient steps per fit.", DefaultValueFactory = _ => new BcOptions().Steps };
        var rounds = new Option<int>("--rounds") { Description = "DAgger rounds.", DefaultValueFactory = _ => 10 };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of initialisation, minibatches and collection.", DefaultValueFactory = _ => 0 };
        var expert = new Option<string?>("--expert") { Description = "DAgger's expert: a saved policy (.safetensors, e.g. from 'apprentice experts train') instead of the env's scripted one." };
        var command = new Command("train", "Train a policy from demonstrations: behaviour cloning or DAgger (with the env's scripted expert or a saved one).")
        {
            algorithm, env, demos, output, steps, rounds, seed, expert,
        };
        command.SetAction(parsed =>
        {
            string id = parsed.GetValue(env)!, path = parsed.GetValue(output)!;
            if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"{path}: --out must end in .safetensors (the manifest goes beside it as .json).");
            var options = new BcOptions { Steps = parsed.GetValue(steps) };
            try { options.Validate(); } catch (ArgumentException e) { throw new CliException(e.Message.Split(" (Parameter")[0]); }
            var data = Transitions.FromTrajectories(Demonstrations.Load(parsed.GetValue(demos)!));
            var rng = new Rng(parsed.GetValue(seed));
            bool dagger = parsed.GetValue(algorithm) == "dagger";
            if (!dagger && parsed.GetValue(expert) is not null) throw new CliException("--expert is for dagger; behaviour cloning learns from the demonstrations alone.");
            int roundCount = parsed.GetValue(rounds);
            if (dagger && roundCount <= 0) throw new CliException($"--rounds must be positive; got {roundCount}.");
            MlpPolicy policy = EnvRegistry.Default.ActionType(id) == typeof(int)
                ? Train(EnvRegistry.Default.MakeDiscrete, parsed.GetValue(expert), id, data, options, dagger, roundCount, rng, console)
                : Train(EnvRegistry.Default.MakeContinuous, parsed.GetValue(expert), id, data, options, dagger, roundCount, rng, console);
            PolicyFile.Save(policy, path, new Dictionary<string, string> { ["env"] = id, ["algorithm"] = parsed.GetValue(algorithm)! });
            console.MarkupLineInterpolated($"Saved the policy to [bold]{path}[/] (manifest {PolicyFile.ManifestPath(path)}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static MlpPolicy Train<TAction>(Func<string, EnvMakeOptions?, IEnv<float[], TAction>> make, string? expertPath, string id,
        Transitions data, BcOptions options, bool dagger, int rounds, Rng rng, IAnsiConsole console)
    {
        using var probe = make(id, null);
        if (data.ObservationSize != probe.ObservationSpace.FlatDimension)
            throw new CliException($"The demonstrations have {data.ObservationSize} observation values per step; {id} has {probe.ObservationSpace.FlatDimension}. Were they recorded in another env?");
        var observations = (Box)probe.ObservationSpace;
        if (!dagger)
        {
            var (policy, report) = BehaviourCloning.Train(data, observations, probe.ActionSpace, null, options, rng, NullTrainingLog.Instance);
            console.MarkupLineInterpolated($"Behaviour cloning on {data.Count} steps: train loss {report.FinalTrainLoss:F4}, held-out loss {report.FinalValidationLoss:F4}.");
            return policy;
        }
        var expert = ExpertSource.For(id, probe, expertPath);
        using var env = new VectorEnv<float[], TAction>(4, _ => make(id, null));
        var result = Dagger.Train(env, expert, data, new DaggerOptions { Rounds = rounds, Cloning = options with { ValidationFraction = 0 } }, rng, NullTrainingLog.Instance,
            round => console.MarkupLineInterpolated($"round {round.Round}: {round.NewLabels} new expert labels, {round.DatasetSize} in all, train loss {round.TrainLoss:F4}"));
        return result.Network;
    }
}
