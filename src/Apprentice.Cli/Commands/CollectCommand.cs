using System.CommandLine;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Envs.Vector;
using Apprentice.Policies;
using Apprentice.Tensors.Random;
using Spectre.Console;

namespace Apprentice.Cli.Commands;

/// <summary><c>apprentice collect</c>: record demonstrations of a built-in env's scripted expert, or of a saved one (<c>--expert</c>).</summary>
public static class CollectCommand
{
    /// <summary>Declares the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var env = new Option<string>("--env", "-e") { Description = "Env id (see 'apprentice envs').", DefaultValueFactory = _ => "CliffRacetrack-v1" };
        var episodes = new Option<int>("--episodes", "-n") { Description = "Episodes to record.", DefaultValueFactory = _ => 20 };
        var seed = new Option<long>("--seed", "-s") { Description = "Copy i of the vector env starts from seed + i.", DefaultValueFactory = _ => 0 };
        var copies = new Option<int>("--envs") { Description = "Env copies stepped together.", DefaultValueFactory = _ => 8 };
        var dart = new Option<double>("--dart-noise") { Description = "DART: std of Gaussian noise on the executed action (continuous envs); the clean label is recorded.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "Output file: .apds (Apprentice) or .npz (NumPy).", Required = true };
        var expert = new Option<string?>("--expert") { Description = "A saved expert policy (.safetensors, e.g. from 'apprentice experts train') instead of the env's scripted one." };
        var command = new Command("collect", "Record demonstrations of a built-in env's scripted expert, or of a saved expert policy.") { env, episodes, seed, copies, dart, output, expert };
        command.SetAction(parsed =>
        {
            string id = parsed.GetValue(env)!, path = parsed.GetValue(output)!;
            int n = parsed.GetValue(episodes), k = parsed.GetValue(copies);
            double noise = parsed.GetValue(dart);
            if (n <= 0) throw new CliException($"--episodes must be positive; got {n}.");
            if (k <= 0) throw new CliException($"--envs must be positive; got {k}.");
            if (noise < 0) throw new CliException($"--dart-noise must be ≥ 0; got {noise}.");
            Demonstrations.CheckWritable(path);
            var rng = new Rng(parsed.GetValue(seed));
            var until = SampleUntil.Episodes(n);
            string? expertPath = parsed.GetValue(expert);
            IReadOnlyList<Trajectory> trajectories = EnvRegistry.Default.ActionType(id) == typeof(int)
                ? Collect(EnvRegistry.Default.MakeDiscrete, expertPath, id, k, until, rng, parsed.GetValue(seed), null)
                : Collect(EnvRegistry.Default.MakeContinuous, expertPath, id, k, until, rng, parsed.GetValue(seed),
                    noise > 0 ? (a, r) => a.Select(x => (float)(x + noise * r.Normal())).ToArray() : null);
            trajectories = trajectories.Take(n).ToList();
            Demonstrations.Save(path, trajectories, id);
            var stats = DatasetTools.Statistics(trajectories);
            console.MarkupLineInterpolated($"Recorded [bold]{stats.Episodes}[/] episodes, {stats.Steps} steps of {id} to [bold]{path}[/]; mean return {stats.ReturnMean:F2}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static IReadOnlyList<Trajectory> Collect<TAction>(Func<string, EnvMakeOptions?, IEnv<float[], TAction>> make, string? expertPath,
        string id, int copies, SampleUntil until, Rng rng, long seed, Func<TAction, Rng, TAction>? perturb)
    {
        IPolicy<float[], TAction> expert;
        using (var probe = make(id, null)) expert = ExpertSource.For(id, probe, expertPath);
        using var env = new VectorEnv<float[], TAction>(copies, _ => make(id, null));
        return Rollouts.CollectLabelled(env, new LabelledCollection<TAction> { Expert = expert, PerturbExecuted = perturb }, until, rng, seed);
    }
}
