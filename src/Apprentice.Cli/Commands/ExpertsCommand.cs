using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Apprentice.Algorithms;
using Apprentice.Algorithms.Common;
using Apprentice.Envs;
using Apprentice.Experts;
using Apprentice.Policies;
using Apprentice.Tensors.Random;
using Spectre.Console;

namespace Apprentice.Cli.Commands;

/// <summary>
/// <c>apprentice experts list|train</c>: which envs have a scripted expert or a PPO recipe, and (re)training a
/// PPO expert from its recipe into a file that <c>collect</c>, <c>train dagger</c> and <c>eval</c> accept.
/// </summary>
public static class ExpertsCommand
{
    /// <summary>Declares the command and its two subcommands.</summary>
    public static Command Create(IAnsiConsole console) =>
        new("experts", "Expert policies: list which envs have a scripted expert or a PPO recipe, and train PPO experts.")
        {
            CreateList(console),
            CreateTrain(console),
        };

    private static Command CreateList(IAnsiConsole console)
    {
        var command = new Command("list", "List every built-in env with its scripted expert (if any) and PPO recipe (if any).");
        command.SetAction(_ =>
        {
            var registry = EnvRegistry.Default;
            var table = new Table().AddColumns("id", "actions", "scripted expert", "PPO recipe");
            foreach (var id in registry.Ids)
            {
                string recipe = PpoExperts.Ids.Contains(id) ? Describe(PpoExperts.Recipe(id)) : "—";
                table.AddRow(Markup.Escape(id), registry.ActionType(id) == typeof(int) ? "discrete" : "continuous",
                    ExpertCatalog.Ids.Contains(id) ? "yes" : "—", Markup.Escape(recipe));
            }
            console.Write(table);
            console.MarkupLine("Train one with [bold]apprentice experts train <id> --out <folder>[/]; use it with [bold]--expert <file>[/] in collect, train dagger and eval.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateTrain(IAnsiConsole console)
    {
        var envId = new Argument<string>("env-id") { Description = $"Env with a PPO recipe: {string.Join(", ", PpoExperts.Ids)}." };
        var output = new Option<string>("--out", "-o") { Description = "A folder (the file is named after the env, e.g. cartpole-v1.safetensors) or a .safetensors file; the .json manifest goes beside it.", Required = true };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of the initial weights and the run.", DefaultValueFactory = _ => 0 };
        var steps = new Option<int>("--steps") { Description = "Env steps in all, overriding the recipe's budget (rounded down to whole rollouts)." };
        var command = new Command("train", "Train a PPO expert from its recipe, evaluate it on fixed seeds and save it (replacing an earlier one only when done).")
        {
            envId, output, seed, steps,
        };
        command.SetAction(parsed =>
        {
            string id = parsed.GetValue(envId)!;
            var options = RecipeFor(id, parsed.GetResult(steps) is null ? null : parsed.GetValue(steps));
            long runSeed = parsed.GetValue(seed);
            if (runSeed < 0) throw new CliException($"--seed must be ≥ 0 (numpy-compatible seeding); got {runSeed}.");
            string path = ResolveOutput(parsed.GetValue(output)!, id);

            bool replacing = File.Exists(path);
            console.MarkupLineInterpolated($"Training a PPO expert for [bold]{id}[/]: {Describe(options)}, seed {runSeed}.");
            var log = new PpoProgress(console, options);
            var expert = log.Run(() => PpoExperts.Train(id, path, new Rng(runSeed), log, options));

            var evaluation = PpoExperts.Evaluation;
            console.MarkupLineInterpolated($"{(replacing ? "Replaced" : "Saved")} [bold]{path}[/] (manifest {PolicyFile.ManifestPath(path)}).");
            console.MarkupLineInterpolated($"Training return (last 20 episodes): {Number(expert.TrainingReturn)}.");
            console.MarkupLineInterpolated(
                $"Evaluation: mean return [bold]{Number(expert.EvaluationReturn)}[/] over {evaluation.Episodes} episodes (seeds {evaluation.BaseSeed}–{evaluation.BaseSeed + evaluation.Episodes - 1}, deterministic actions).");
            console.MarkupLineInterpolated($"[grey]Reproduce it with: apprentice eval --policy {path} --episodes {evaluation.Episodes} --seed {evaluation.BaseSeed}[/]");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The recipe for <paramref name="id"/>, with the step budget overridden when asked; bad ids and budgets are <see cref="CliException"/>s.</summary>
    private static PpoOptions RecipeFor(string id, int? steps)
    {
        EnvRegistry.Default.Spec(id);                 // an unknown id fails here, with the known ids in the message
        if (!PpoExperts.Ids.Contains(id))
            throw new CliException($"No PPO recipe for '{id}'. Recipes exist for: {string.Join(", ", PpoExperts.Ids)}." +
                (ExpertCatalog.Ids.Contains(id) ? $" {id} has a scripted expert, which collect and train dagger use when --expert is not given." : ""));
        var recipe = PpoExperts.Recipe(id);
        if (steps is not int total) return recipe;
        if (total < recipe.BatchSize)
            throw new CliException($"--steps must cover at least one rollout of {id}'s recipe ({recipe.Envs} envs × {recipe.StepsPerEnv} steps = {recipe.BatchSize}); got {total}.");
        var options = recipe with { TotalSteps = total };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new CliException(e.Message.Split(" (Parameter")[0]); }
        return options;
    }

    /// <summary>
    /// The weights file for <c>--out</c>: a <c>.safetensors</c> path as given (its folder must exist), or a folder
    /// (created if missing) with the env's default file name. Checks up front that the folder takes new files, so an
    /// unwritable place fails in a second instead of after the whole training run.
    /// </summary>
    private static string ResolveOutput(string output, string id)
    {
        string path, folder;
        if (output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            path = output;
            folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
            if (!Directory.Exists(folder)) throw new CliException($"{output}: folder {folder} does not exist.");
        }
        else
        {
            if (File.Exists(output))
                throw new CliException($"{output}: exists and is not a .safetensors file; --out names a folder or a .safetensors file.");
            folder = output;
            path = Path.Combine(output, PpoExperts.DefaultFileName(id));
            try { Directory.CreateDirectory(folder); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"{output}: cannot create the folder: {e.Message}");
            }
        }
        foreach (var target in new[] { path, PolicyFile.ManifestPath(path) })
            if (Directory.Exists(target)) throw new CliException($"{target}: is a folder; the expert needs it as a file.");
        try
        {
            using var probe = new FileStream(Path.Combine(folder, $".apprentice-write-test-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{folder}: cannot write there: {e.Message}");
        }
        return path;
    }

    private static string Describe(PpoOptions o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.Iterations * o.BatchSize:N0} steps ({o.Iterations} iteration{(o.Iterations == 1 ? "" : "s")} of {o.Envs} envs × {o.StepsPerEnv} steps)");

    private static string Number(double x) => double.IsNaN(x) ? "— (no episode finished)" : x.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Turns PPO's log into progress: a live bar on a terminal, else about twenty lines. Each shows the iteration, env
    /// steps, the mean return of the last 20 finished training episodes and the time so far.
    /// </summary>
    private sealed class PpoProgress(IAnsiConsole console, PpoOptions options) : ITrainingLog
    {
        private const int Window = 20;
        private readonly Queue<double> _returns = new();
        private readonly Stopwatch _clock = new();
        private readonly int _every = Math.Max(1, options.Iterations / 20);
        private ProgressTask? _bar;
        private int _iteration;

        public T Run<T>(Func<T> train)
        {
            _clock.Start();
            if (!console.Profile.Capabilities.Interactive) return train();
            T result = default!;
            console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
                .Start(context =>
                {
                    _bar = context.AddTask(Markup.Escape(Line(0)), maxValue: options.Iterations);
                    result = train();
                });
            return result;
        }

        public void Scalar(string name, double value, int step)
        {
            if (name != "ppo/episode_return") return;
            _returns.Enqueue(value);
            if (_returns.Count > Window) _returns.Dequeue();
        }

        public void Progress(string stage, int done, int total)
        {
            if (stage != "ppo") return;
            _iteration++;
            if (_bar is not null)
            {
                _bar.Description = Markup.Escape(Line(done));
                _bar.Value = _iteration;
            }
            else if (_iteration % _every == 0 || _iteration == options.Iterations)
                console.WriteLine(Line(done));
        }

        private string Line(int steps) => string.Create(CultureInfo.InvariantCulture,
            $"  iteration {_iteration,4}/{options.Iterations}  steps {steps,8:N0}  mean return {(_returns.Count == 0 ? "—" : _returns.Average().ToString("F1", CultureInfo.InvariantCulture)),8}  {_clock.Elapsed.TotalSeconds,6:F1} s");
    }
}
