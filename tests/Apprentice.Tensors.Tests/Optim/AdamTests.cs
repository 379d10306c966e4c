using Apprentice.Tensors.Optim;

namespace Apprentice.Tensors.Tests.Optim;

public class AdamTests
{
    private static readonly float[] s_start = [0.5f, -1.25f, 2f, 0f, 3f];
    private static readonly float[][] s_grads =
    [
        [0.3f, -0.2f, 1.5f, 0f, -4f],
        [0.1f, 0.4f, -1f, 2e-3f, -3f],
        [-0.5f, 0.25f, 0.5f, -1e-3f, 0.75f],
    ];

    /// <summary>Adam in double from the paper's formulas (bias-corrected moments), optionally with L2 or decoupled decay.</summary>
    private static double[] Reference(double lr, double beta1, double beta2, double eps, double l2, double decoupled, int steps)
    {
        var p = Array.ConvertAll(s_start, x => (double)x);
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= steps; t++)
            for (int i = 0; i < p.Length; i++)
            {
                double g = s_grads[t - 1][i] + l2 * p[i];
                p[i] *= 1 - lr * decoupled;
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat = v[i] / (1 - Math.Pow(beta2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);       // ε outside the bias-corrected root, as torch
            }
        return p;
    }

    private static float[] Run(Func<Tensor, Optimizer> make, int steps)
    {
        var p = Tensor.FromArray(s_start).AsParameter();
        var optimizer = make(p);
        for (int t = 0; t < steps; t++)
        {
            p.Grad = Tensor.FromArray(s_grads[t]);
            optimizer.Step();
        }
        Assert.Equal(steps, optimizer.StepCount);
        return p.ToArray();
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FirstStepsMatchTheBiasCorrectedFormulas(int steps)
    {
        var actual = Run(p => new Adam([p], learningRate: 0.1), steps);
        AssertClose(Reference(0.1, 0.9, 0.999, 1e-8, 0, 0, steps), actual, 1e-6);
    }

    [Fact]
    public void EpsilonIsAddedAfterTheBiasCorrectedSquareRoot()
    {
        // With ε comparable to √v the placement of ε matters (ε inside the correction would be ~30× larger at step 1).
        var actual = Run(p => new Adam([p], learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 0.05), 3);
        AssertClose(Reference(0.1, 0.8, 0.99, 0.05, 0, 0, 3), actual, 1e-6);
    }

    [Fact]
    public void WeightDecayIsAnL2TermOnTheGradient()
    {
        var actual = Run(p => new Adam([p], learningRate: 0.05, weightDecay: 0.3), 3);
        AssertClose(Reference(0.05, 0.9, 0.999, 1e-8, 0.3, 0, 3), actual, 1e-6);
    }

    [Fact]
    public void AdamWDecaysTheWeightsBeforeThePlainAdamStep()
    {
        var actual = Run(p => new AdamW([p], learningRate: 0.05, weightDecay: 0.3), 3);
        AssertClose(Reference(0.05, 0.9, 0.999, 1e-8, 0, 0.3, 3), actual, 1e-6);
    }

    [Fact]
    public void AdamWDecayIsDecoupledFromTheGradientUnlikeAdamWithL2()
    {
        // Zero gradient: AdamW only shrinks p by (1 − lr·wd); Adam+L2 normalises wd·p and moves every weight by about lr.
        float[] start = [2f, -0.5f, 10f];
        var pw = Tensor.FromArray(start).AsParameter();
        var pl = Tensor.FromArray(start).AsParameter();
        var adamW = new AdamW([pw], learningRate: 0.01, weightDecay: 0.1);
        var adamL2 = new Adam([pl], learningRate: 0.01, weightDecay: 0.1);
        pw.Grad = Tensor.Zeros(3);
        pl.Grad = Tensor.Zeros(3);
        adamW.Step();
        adamL2.Step();
        for (int i = 0; i < start.Length; i++)
        {
            Assert.Equal(start[i] * (float)(1 - 0.01 * 0.1), pw.Span[i]);
            Assert.Equal(start[i] - 0.01 * Math.Sign(start[i]), pl.Span[i], 1e-5);
        }
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkippedAndKeepTheirOwnStepCount()
    {
        var a = Tensor.FromArray([1f, 2f]).AsParameter();
        var b = Tensor.FromArray(s_start).AsParameter();
        var adam = new Adam([a, b], learningRate: 0.1);
        a.Grad = Tensor.FromArray([0.5f, -0.5f]);
        adam.Step();                                                        // b has no gradient: untouched
        Assert.Equal(s_start, b.ToArray());
        for (int t = 0; t < 2; t++)
        {
            a.Grad = Tensor.FromArray([0.5f, -0.5f]);
            b.Grad = Tensor.FromArray(s_grads[t]);
            adam.Step();
        }
        Assert.Equal(3, adam.StepCount);
        // b's two updates are its steps 1 and 2, bias corrections included: the same as a fresh optimiser's.
        Assert.Equal(Run(p => new Adam([p], learningRate: 0.1), 2), b.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALargeParameterSharedBetweenCoresIsUpdatedAsInPieces(bool decoupled)
    {
        // 40,000 elements is past the size at which one parameter's update is split between two
        // cores; as forty parameters of 1,000 it never is. Element-wise, so the bits must agree.
        const int n = 40_000, pieces = 40, piece = n / pieces;
        var rng = new Apprentice.Tensors.Random.Rng(11);
        var start = Tensor.Normal(rng, 0f, 1f, n).ToArray();
        var whole = Tensor.FromArray(start).AsParameter();
        var parts = Enumerable.Range(0, pieces).Select(i => Tensor.FromArray(start[(i * piece)..((i + 1) * piece)]).AsParameter()).ToArray();
        Optimizer Make(IReadOnlyList<Tensor> ps) => decoupled ? new AdamW(ps, learningRate: 0.01, weightDecay: 0.1) : new Adam(ps, learningRate: 0.01, weightDecay: 0.1);
        var big = Make([whole]);
        var small = Make(parts);
        for (int step = 0; step < 3; step++)
        {
            var grad = Tensor.Normal(rng, 0f, 1f, n).ToArray();
            whole.Grad = Tensor.FromArray(grad);
            for (int i = 0; i < pieces; i++) parts[i].Grad = Tensor.FromArray(grad[(i * piece)..((i + 1) * piece)]);
            big.Step();
            small.Step();
        }
        Assert.True(n >= FusedUpdate.SplitLength && piece < FusedUpdate.SplitLength);
        Assert.Equal(parts.SelectMany(p => p.ToArray()).ToArray(), whole.ToArray());
    }

    [Fact]
    public void DefaultsArePyTorchs()
    {
        var adam = new Adam([Tensor.Zeros(1).AsParameter()]);
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        Assert.Equal(0.01, new AdamW([Tensor.Zeros(1).AsParameter()]).WeightDecay);
    }

    [Theory]
    [InlineData(1.0, 0.999, 1e-8, 0.0, "beta1")]
    [InlineData(0.9, -0.1, 1e-8, 0.0, "beta2")]
    [InlineData(0.9, 0.999, -1.0, 0.0, "epsilon")]
    [InlineData(0.9, 0.999, 1e-8, -0.5, "weightDecay")]
    public void RejectsInvalidHyperParameters(double beta1, double beta2, double eps, double wd, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([Tensor.Zeros(1).AsParameter()], 1e-3, beta1, beta2, eps, wd));
        Assert.Equal(name, e.ParamName);
    }
}
