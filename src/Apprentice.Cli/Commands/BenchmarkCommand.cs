using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Apprentice.Algorithms.Common;
using Apprentice.Experiments;
using Apprentice.Experts;
using Apprentice.Tensors.Random;
using Apprentice.Tensors.IO;
using Spectre.Console;

namespace Apprentice.Cli.Commands;

/// <summary>
/// <c>apprentice benchmark</c>: GAIL and AIRL from a few demonstrations on fixed-horizon classic control
/// (expert-normalised IQM over seeds), and AIRL's reward transferred to changed dynamics. Long: tens of
/// minutes on two cores at the default budget.
/// </summary>
public static class BenchmarkCommand
{
    private static readonly string[] Parts = ["ppo", "adversarial", "transfer"];

    /// <summary>The PPO recipes the issue sets targets for: mean of the last 20 training episodes ≥ 475 and ≥ −250.</summary>
    private static readonly (string EnvId, double Target)[] PpoTargets = [("CartPole-v1", 475), ("Pendulum-v1", -250)];

    /// <summary>Declares the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new AdversarialBenchmarkOptions();
        var transferDefaults = new RewardTransferOptions();
        var parts = new Option<string[]>("--parts") { Description = $"What to run: {string.Join(", ", Parts)} (default: all).", AllowMultipleArgumentsPerToken = true };
        var tasks = new Option<string[]>("--tasks") { Description = $"Adversarial tasks (default: {string.Join(", ", AdversarialBenchmark.Tasks)}).", AllowMultipleArgumentsPerToken = true };
        var algorithms = new Option<string[]>("--algorithms") { Description = "gail, airl (default: both).", AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<int>("--seeds") { Description = "Runs per (task, algorithm).", DefaultValueFactory = _ => defaults.Seeds };
        var ppoSeeds = new Option<int>("--ppo-seeds") { Description = "Runs of each PPO recipe.", DefaultValueFactory = _ => 3 };
        var transferSeeds = new Option<int>("--transfer-seeds") { Description = "Runs of the transfer experiment.", DefaultValueFactory = _ => transferDefaults.Seeds };
        var demos = new Option<int>("--demos") { Description = "Expert episodes per run.", DefaultValueFactory = _ => defaults.Demonstrations };
        var episodes = new Option<int>("--episodes") { Description = "Evaluation episodes per policy.", DefaultValueFactory = _ => defaults.EvaluationEpisodes };
        var gravity = new Option<double>("--target-gravity") { Description = "Gravity of the pendulum the recovered reward is transferred to.", DefaultValueFactory = _ => transferDefaults.TargetGravity };
        var budget = new Option<double>("--budget-scale") { Description = "Multiplies every step budget (1 = the recipes; smaller for a quick look, not for results).", DefaultValueFactory = _ => 1.0 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the tables as Markdown to this file." };
        var command = new Command("benchmark", "PPO's expert recipes against their targets; GAIL and AIRL on seals/CartPole, seals/MountainCar and Pendulum from 10 demonstrations (expert-normalised IQM over seeds), and AIRL's reward transferred to a heavier pendulum.")
        {
            parts, tasks, algorithms, seeds, ppoSeeds, transferSeeds, gravity, demos, episodes, budget, output,
        };
        command.SetAction(parsed =>
        {
            var chosenParts = parsed.GetValue(parts) is { Length: > 0 } p ? p.Select(x => x.ToLowerInvariant()).ToArray() : Parts;
            foreach (var part in chosenParts)
                if (!Parts.Contains(part)) throw new CliException($"--parts: unknown part '{part}'; expected {string.Join(" or ", Parts)}.");
            var options = defaults with
            {
                EnvIds = parsed.GetValue(tasks) is { Length: > 0 } t ? t : defaults.EnvIds,
                Algorithms = parsed.GetValue(algorithms) is { Length: > 0 } a ? a.Select(ParseAlgorithm).ToArray() : defaults.Algorithms,
                Seeds = parsed.GetValue(seeds), Demonstrations = parsed.GetValue(demos), EvaluationEpisodes = parsed.GetValue(episodes),
                BudgetScale = parsed.GetValue(budget),
            };
            var transfer = transferDefaults with
            {
                Seeds = parsed.GetValue(transferSeeds), TargetGravity = parsed.GetValue(gravity), Demonstrations = options.Demonstrations, EvaluationEpisodes = options.EvaluationEpisodes,
                BudgetScale = options.BudgetScale,
            };
            try
            {
                options.Validate();
                transfer.Validate();
            }
            catch (ArgumentException e) { throw new CliException(e.Message.Split(" (Parameter")[0]); }
            int ppoRuns = parsed.GetValue(ppoSeeds);
            if (ppoRuns <= 0) throw new CliException($"--ppo-seeds: expected a positive number of runs; got {ppoRuns}.");
            string? file = parsed.GetValue(output);
            if (file is not null && Directory.Exists(file)) throw new CliException($"{file}: is a folder; --output names a Markdown file.");

            var clock = Stopwatch.StartNew();
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"`apprentice {string.Join(' ', parsed.Tokens.Select(x => x.Value))}` on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
            report.AppendLine();
            if (chosenParts.Contains("ppo"))
            {
                console.MarkupLineInterpolated($"PPO: the expert recipes for CartPole-v1 and Pendulum-v1, {ppoRuns} seeds, budget ×{options.BudgetScale}.");
                report.AppendLine("| PPO recipe | env steps | mean of the last 20 training episodes, per seed | target |");
                report.AppendLine("|---|---:|---|---:|");
                foreach (var (envId, target) in PpoTargets)
                {
                    var recipe = PpoExperts.Recipe(envId).WithBudgetScale(options.BudgetScale);
                    var returns = new List<double>();
                    for (int seed = 0; seed < ppoRuns; seed++)
                    {
                        var runClock = Stopwatch.StartNew();
                        var expert = PpoExperts.Fit(envId, new Rng(seed), NullTrainingLog.Instance, recipe);
                        returns.Add(expert.TrainingReturn);
                        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  PPO {envId} seed {seed}: mean of the last 20 training episodes {expert.TrainingReturn:F1} after {expert.Steps:N0} steps (target ≥ {target}), {runClock.Elapsed.TotalSeconds:F0} s"));
                    }
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {envId} | {recipe.TotalSteps:N0} | {string.Join(", ", returns.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))} | ≥ {target} |");
                }
                report.AppendLine();
            }
            if (chosenParts.Contains("adversarial"))
            {
                console.MarkupLineInterpolated($"GAIL/AIRL: {string.Join(", ", options.EnvIds)}; {options.Seeds} seeds, {options.Demonstrations} demonstrations, {options.EvaluationEpisodes} evaluation episodes, budget ×{options.BudgetScale}.");
                var cells = AdversarialBenchmark.Run(options, (cell, run) => console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {AdversarialBenchmark.Name(cell.Algorithm)} {cell.EnvId} seed {run.Seed}: return {run.Return:F1} (random {cell.RandomReturn:F1}, expert {cell.ExpertReturn:F1}), " +
                    $"normalised {run.NormalizedScore:F3}; deterministic {run.DeterministicReturn:F1} ({run.DeterministicScore:F3}), {run.Seconds:F0} s")));
                var table = new Table().Title("Expert-normalised score, sampled actions (IQM over seeds [[95% bootstrap CI]])")
                    .AddColumns("task", "algorithm", "env steps", "random", "expert", "returns per seed", "normalised IQM", "deterministic IQM");
                foreach (var cell in cells)
                    table.AddRow([.. new[]
                    {
                        cell.EnvId, AdversarialBenchmark.Name(cell.Algorithm), cell.Steps.ToString("N0", CultureInfo.InvariantCulture),
                        cell.RandomReturn.ToString("F1", CultureInfo.InvariantCulture), cell.ExpertReturn.ToString("F1", CultureInfo.InvariantCulture),
                        string.Join(", ", cell.Runs.Select(r => r.Return.ToString("F1", CultureInfo.InvariantCulture))),
                        string.Create(CultureInfo.InvariantCulture, $"{cell.Iqm:F2} [{cell.IqmInterval.Low:F2}, {cell.IqmInterval.High:F2}]"),
                        cell.DeterministicIqm.ToString("F2", CultureInfo.InvariantCulture),
                    }.Select(Markup.Escape)]);
                console.Write(table);
                report.AppendLine(AdversarialBenchmark.Markdown(cells));
            }
            if (chosenParts.Contains("transfer"))
            {
                console.MarkupLineInterpolated($"Reward transfer: AIRL on Pendulum (g = {transfer.SourceGravity}), then PPO on its reward at g = {transfer.TargetGravity}; {transfer.Seeds} seeds.");
                var result = RewardTransfer.Run(transfer, run => console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  seed {run.Seed}: AIRL's policy {run.AirlReturn:F1} at g = {transfer.SourceGravity} and {run.AirlPolicyOnTargetReturn:F1} at g = {transfer.TargetGravity}; " +
                    $"PPO on its reward at g = {transfer.TargetGravity}: {run.TransferReturn:F1}, {run.Seconds:F0} s")));
                string line = RewardTransferSummary(result);
                console.WriteLine(line);
                report.AppendLine(line);
            }
            console.MarkupLineInterpolated($"Whole run: [bold]{clock.Elapsed.TotalMinutes:F1} min[/] on {Environment.ProcessorCount} cores.");
            if (file is not null)
            {
                AtomicFile.WriteAllText(file, report.ToString());
                console.MarkupLineInterpolated($"Tables: [bold]{Path.GetFullPath(file)}[/]");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One line: transferred return against the expert's and random play's under the target dynamics.</summary>
    internal static string RewardTransferSummary(RewardTransferResult result) => string.Create(CultureInfo.InvariantCulture,
        $"Transfer to g = {result.Options.TargetGravity}: PPO on AIRL's recovered reward {result.MeanTransferReturn:F1} " +
        $"(seeds: {string.Join(", ", result.Runs.Select(r => r.TransferReturn.ToString("F1", CultureInfo.InvariantCulture)))}), " +
        $"expert {result.ExpertReturn:F1}, random {result.RandomReturn:F1}: {100 * result.ExpertFraction:F0}% of the expert's return above random " +
        $"(AIRL's own policy moved unchanged: {result.MeanAirlPolicyOnTargetReturn:F1}).");

    private static AdversarialAlgorithm ParseAlgorithm(string name) => name.ToLowerInvariant() switch
    {
        "gail" => AdversarialAlgorithm.Gail,
        "airl" => AdversarialAlgorithm.Airl,
        _ => throw new CliException($"--algorithms: unknown algorithm '{name}'; expected gail or airl."),
    };
}
