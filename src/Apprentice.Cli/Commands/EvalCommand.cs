using System.CommandLine;
using System.Globalization;
using Apprentice.Envs;
using Apprentice.Evaluation;
using Apprentice.Policies;
using Apprentice.Tensors.Random;
using Spectre.Console;

namespace Apprentice.Cli.Commands;

/// <summary><c>apprentice eval</c>: run a saved policy over seeded episodes and print its outcome rates.</summary>
public static class EvalCommand
{
    /// <summary>Declares the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var policyPath = new Option<string>("--policy", "-p", "--expert") { Description = "Policy weights (.safetensors with its .json manifest): from 'train', or a PPO expert from 'experts train'.", Required = true };
        var env = new Option<string?>("--env", "-e") { Description = "Env id (default: the one recorded in the policy's manifest)." };
        var episodes = new Option<int>("--episodes", "-n") { Description = "Seeded evaluation episodes.", DefaultValueFactory = _ => 50 };
        var seed = new Option<long>("--seed", "-s") { Description = "Episode e uses seed + e.", DefaultValueFactory = _ => HeadlineSeed };
        var command = new Command("eval", "Evaluate a saved policy over seeded episodes: return, success, crash and timeout rates with 95% intervals.") { policyPath, env, episodes, seed };
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(policyPath)!;
            int n = parsed.GetValue(episodes);
            if (n <= 0) throw new CliException($"--episodes must be positive; got {n}.");
            var policy = ExpertSource.Load(path);
            string id = parsed.GetValue(env) ?? ExpertSource.EnvOf(path)
                ?? throw new CliException($"{path}: the manifest names no env; pass --env.");
            var options = new EvaluationOptions { Episodes = n, BaseSeed = parsed.GetValue(seed) };
            var rng = new Rng(0);
            EvaluationResult result = EnvRegistry.Default.ActionType(id) == typeof(int)
                ? Run(EnvRegistry.Default.MakeDiscrete(id), policy, path, id, options, rng)
                : Run(EnvRegistry.Default.MakeContinuous(id), policy, path, id, options, rng);
            var table = new Table().AddColumns("episodes", "return (mean)", "terminated", "success", "crash", "timeout", "mean length");
            table.AddRow([.. new[]
            {
                result.Count.ToString(CultureInfo.InvariantCulture), result.ReturnMean.ToString("F2", CultureInfo.InvariantCulture),
                result.Episodes.Count(e => e.Terminated).ToString(CultureInfo.InvariantCulture),
                Rate(result.SuccessRate, result.SuccessInterval), Rate(result.CrashRate, result.CrashInterval), Rate(result.TimeoutRate, result.TimeoutInterval),
                result.MeanLength.ToString("F1", CultureInfo.InvariantCulture),
            }.Select(Markup.Escape)]);
            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private const long HeadlineSeed = 1_000_000;

    private static EvaluationResult Run<TAction>(IEnv<float[], TAction> env, MlpPolicy policy, string path, string id, EvaluationOptions options, Rng rng)
    {
        using (env) return Evaluator.Evaluate(env, ExpertSource.Fitting(policy, path, id, env), options, rng);
    }

    private static string Rate(double rate, ConfidenceInterval ci) =>
        string.Create(CultureInfo.InvariantCulture, $"{100 * rate:F1}% [{100 * ci.Low:F1}, {100 * ci.High:F1}]");
}
