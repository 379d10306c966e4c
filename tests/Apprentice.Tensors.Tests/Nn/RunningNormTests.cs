using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Nn;

public class RunningNormTests
{
    /// <summary>Per-feature mean and population variance of all rows, in double.</summary>
    private static (double[] Mean, double[] Variance) Moments(IReadOnlyList<Tensor> batches, int features)
    {
        var rows = batches.SelectMany(b => b.ToArray().Chunk(features)).ToArray();
        var mean = new double[features];
        var variance = new double[features];
        for (int j = 0; j < features; j++)
        {
            mean[j] = rows.Average(r => (double)r[j]);
            variance[j] = rows.Average(r => (r[j] - mean[j]) * (r[j] - mean[j]));
        }
        return (mean, variance);
    }

    [Fact]
    public void Statistics_are_the_mean_and_variance_of_every_training_row_seen()
    {
        var rng = new Rng(0);
        var norm = new RunningNorm(3);
        var batches = new List<Tensor>();
        foreach (int n in new[] { 5, 17, 1, 40 })
        {
            var batch = Tensor.Normal(rng, 0f, 1f, n, 3) * Tensor.FromArray([1f, 10f, 0.01f], 3) + Tensor.FromArray([2f, -50f, 0.5f], 3);
            batches.Add(batch);
            norm.Forward(batch);
        }
        var (mean, variance) = Moments(batches, 3);
        Assert.Equal(63, norm.Count);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(mean[j], norm.Mean[j], Math.Abs(mean[j]) * 1e-5 + 1e-6);
            Assert.Equal(variance[j], norm.Variance[j], variance[j] * 1e-4);
        }
    }

    [Fact]
    public void Output_is_standardised_with_the_statistics_including_the_current_batch()
    {
        var rng = new Rng(1);
        var norm = new RunningNorm(2);
        var batch = Tensor.Normal(rng, 3f, 5f, 200, 2);
        var y = norm.Forward(batch).ToArray();
        for (int j = 0; j < 2; j++)
        {
            var column = Enumerable.Range(0, 200).Select(i => (double)y[i * 2 + j]).ToArray();
            double m = column.Average(), v = column.Average(x => (x - m) * (x - m));
            Assert.Equal(0, m, 1e-5);
            Assert.Equal(1, v, 1e-3);
        }
    }

    [Fact]
    public void Evaluation_mode_and_no_grad_leave_the_statistics_alone()
    {
        var rng = new Rng(2);
        var norm = new RunningNorm(4);
        norm.Forward(Tensor.Normal(rng, 0f, 1f, 8, 4));
        var mean = norm.Mean.ToArray();
        using (Tensor.NoGrad()) norm.Forward(Tensor.Normal(rng, 5f, 1f, 8, 4));
        norm.Eval();
        var frozen = norm.Forward(Tensor.Normal(rng, 5f, 1f, 8, 4));
        Assert.Equal(mean, norm.Mean.ToArray());
        Assert.Equal(8, norm.Count);
        norm.Train();
        norm.Forward(Tensor.Normal(rng, 5f, 1f, 8, 4));
        Assert.Equal(16, norm.Count);
        Assert.NotEqual(mean, norm.Mean.ToArray());
    }

    [Fact]
    public void Gradients_flow_to_the_input_and_match_finite_differences()
    {
        var rng = new Rng(3);
        var norm = new RunningNorm(3);
        norm.Forward(Tensor.Normal(rng, 1f, 2f, 10, 3));
        norm.Eval();                                                           // frozen, so finite differences see the same map
        var x = Tensor.Normal(rng, 0f, 1f, 4, 3).AsParameter();
        var weights = Tensor.Normal(rng, 0f, 1f, 4, 3);
        var result = GradCheck.Compare(inputs => (norm.Forward(inputs[0]).Tanh() * weights).Sum(), [x]);
        Assert.True(result.Passed, $"worst {result.Worst}, max error {result.MaxAbsoluteError}");
    }

    [Fact]
    public void Statistics_travel_with_the_state_dict()
    {
        var rng = new Rng(4);
        var norm = new RunningNorm(2);
        norm.Forward(Tensor.Normal(rng, 3f, 2f, 32, 2));
        var copy = new RunningNorm(2);
        copy.LoadStateDict(norm.StateDict());
        Assert.Equal(norm.Mean.ToArray(), copy.Mean.ToArray());
        Assert.Equal(norm.Variance.ToArray(), copy.Variance.ToArray());
        Assert.Equal(norm.Count, copy.Count);
        Assert.Equal(["count", "running_mean", "running_var"], norm.StateDict().Keys.Order());
    }

    [Fact]
    public void Inputs_of_the_wrong_width_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new RunningNorm(3).Forward(Tensor.Zeros(2, 4)));
        Assert.Contains("[N, 3]", e.Message);
    }
}
