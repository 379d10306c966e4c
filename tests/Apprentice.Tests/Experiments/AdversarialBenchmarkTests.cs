using Apprentice.Evaluation;
using Apprentice.Experiments;

namespace Apprentice.Tests.Experiments;

/// <summary>The benchmark's plumbing at a tiny budget; what the recipes reach is measured by <c>apprentice benchmark</c>, not here.</summary>
public sealed class AdversarialBenchmarkTests
{
    private static readonly AdversarialBenchmarkOptions Tiny = new()
    {
        EnvIds = ["seals/CartPole-v0"], Algorithms = [AdversarialAlgorithm.Gail], Seeds = 2, Demonstrations = 2, EvaluationEpisodes = 3, BudgetScale = 0.01,
    };

    [Fact]
    public void A_cell_scores_each_seed_against_random_and_expert_play()
    {
        var heard = new List<AdversarialRunResult>();
        var cells = AdversarialBenchmark.Run(Tiny, (_, run) => heard.Add(run));

        var cell = Assert.Single(cells);
        Assert.Equal(2048, cell.Steps);                                     // 1% of 100 rounds, at least one round
        Assert.Equal(500, cell.ExpertReturn);                               // the scripted expert keeps the pole up throughout
        Assert.InRange(cell.RandomReturn, 5, 100);
        Assert.Equal([0, 1], cell.Runs.Select(r => r.Seed));
        Assert.Equal(cell.Runs, heard);
        foreach (var run in cell.Runs)
        {
            Assert.Equal((run.Return - cell.RandomReturn) / (cell.ExpertReturn - cell.RandomReturn), run.NormalizedScore, 12);
            Assert.Equal((run.DeterministicReturn - cell.RandomReturn) / (cell.ExpertReturn - cell.RandomReturn), run.DeterministicScore, 12);
        }
        Assert.Equal(Statistics.InterquartileMean(cell.Runs.Select(r => r.DeterministicScore).ToArray()), cell.DeterministicIqm, 12);
        Assert.Equal(Statistics.InterquartileMean(cell.Runs.Select(r => r.NormalizedScore).ToArray()), cell.Iqm, 12);
        Assert.InRange(cell.Iqm, cell.IqmInterval.Low, cell.IqmInterval.High);
        Assert.Contains("| seals/CartPole-v0 | GAIL | 2,048 |", AdversarialBenchmark.Markdown(cells));
    }

    [Fact]
    public void The_same_options_give_the_same_table()
    {
        var one = Tiny with { Seeds = 1 };
        Assert.Equal(AdversarialBenchmark.Run(one)[0].Runs[0].Return, AdversarialBenchmark.Run(one)[0].Runs[0].Return);
    }

    [Fact]
    public void Unknown_tasks_and_bad_numbers_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => AdversarialBenchmark.Run(Tiny with { EnvIds = ["CartPole-v1"] }));
        Assert.Contains("'CartPole-v1'", e.Message);
        Assert.Contains("seals/CartPole-v0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialBenchmark.Run(Tiny with { BudgetScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialBenchmark.Run(Tiny with { Seeds = 0 }));
    }

    [Fact]
    public void Every_task_has_a_recipe_for_both_algorithms_that_validates()
    {
        foreach (var task in AdversarialBenchmark.Tasks)
            foreach (var algorithm in new[] { AdversarialAlgorithm.Gail, AdversarialAlgorithm.Airl })
                AdversarialBenchmark.Recipe(task, algorithm).Validate();
    }

    [Fact]
    public void Reward_transfer_trains_on_the_recovered_reward_under_the_new_gravity()
    {
        var result = RewardTransfer.Run(new RewardTransferOptions { Seeds = 1, Demonstrations = 1, EvaluationEpisodes = 2, BudgetScale = 0.015 });

        var run = Assert.Single(result.Runs);
        Assert.True(result.ExpertReturn > result.RandomReturn, $"expert {result.ExpertReturn}, random {result.RandomReturn}");
        Assert.True(double.IsFinite(run.AirlReturn) && double.IsFinite(run.AirlPolicyOnTargetReturn) && double.IsFinite(run.TransferReturn));
        Assert.Equal((run.TransferReturn - result.RandomReturn) / (result.ExpertReturn - result.RandomReturn), result.ExpertFraction, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardTransfer.Run(new RewardTransferOptions { TargetGravity = -1 }));
    }
}
