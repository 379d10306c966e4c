using Apprentice.Cli.Commands;

namespace Apprentice.Cli.Tests;

public sealed class BenchmarkCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apprentice-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // One PPO round per run: the plumbing, not the scores (those are `apprentice benchmark` at budget 1).
    private static readonly string[] Tiny = ["--seeds", "1", "--demos", "1", "--episodes", "2", "--budget-scale", "0.01"];

    [Fact]
    public void A_tiny_run_prints_the_table_and_writes_it_as_markdown()
    {
        string file = Path.Combine(_dir, "table.md");
        var (code, output) = CliHarness.Run(["benchmark", "--parts", "adversarial", "--tasks", "seals/CartPole-v0", "--algorithms", "gail", .. Tiny, "--output", file]);

        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("GAIL seals/CartPole-v0 seed 0: return", output);
        Assert.Contains("normalised IQM", output);
        var markdown = File.ReadAllText(file);
        Assert.Contains("| task | algorithm | env steps |", markdown);
        Assert.Contains("| seals/CartPole-v0 | GAIL | 2,048 |", markdown);
        Assert.DoesNotContain("AIRL", markdown);
    }

    [Fact]
    public void The_ppo_part_trains_each_recipe_and_prints_its_recent_return()
    {
        var (code, output) = CliHarness.Run("benchmark", "--parts", "ppo", "--ppo-seeds", "1", "--budget-scale", "0.001");

        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("PPO CartPole-v1 seed 0: mean of the last 20 training episodes", output);
        Assert.Contains("after 256 steps (target ≥ 475)", output);                 // one rollout of 8 × 32
        Assert.Contains("PPO Pendulum-v1 seed 0: mean of the last 20 training episodes", output);
        Assert.DoesNotContain("GAIL", output);
    }

    [Theory]
    [InlineData("--ppo-seeds", "0", "--ppo-seeds: expected a positive number of runs; got 0")]
    [InlineData("--parts", "everything", "unknown part 'everything'")]
    [InlineData("--algorithms", "bc", "unknown algorithm 'bc'")]
    [InlineData("--tasks", "CartPole-v1", "No adversarial benchmark recipe for 'CartPole-v1'")]
    [InlineData("--seeds", "0", "Seeds")]
    public void Bad_arguments_are_usage_errors_that_name_the_problem(string option, string value, string message)
    {
        var (code, output) = CliHarness.Run("benchmark", option, value);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, output);
        Assert.DoesNotContain("   at ", output);                          // no stack trace
    }

    [Fact]
    public void An_output_that_is_a_folder_is_refused_before_any_training()
    {
        var (code, output) = CliHarness.Run(["benchmark", "--parts", "adversarial", .. Tiny, "--output", _dir]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("is a folder", output);
        Assert.DoesNotContain("seed 0", output);
    }
}
