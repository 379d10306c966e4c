using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Kernels;
using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Ops;

/// <summary>Every primitive and loss against finite differences, including broadcasting and double backward.</summary>
public class GradCheckTests
{
    private static Tensor Param(Rng rng, float low, float high, params int[] shape) => Tensor.Uniform(rng, low, high, shape).AsParameter();

    // Weight the output by fixed random numbers so that the gradient seed is not all ones.
    private static Func<Tensor[], Tensor> Weighted(Func<Tensor[], Tensor> op, int seed = 99) => xs =>
    {
        var y = op(xs);
        var w = Tensor.Uniform(new Rng(seed), -1f, 1f, y.Shape.ToArray());
        return (y * w).Sum();
    };

    private static void AssertGradients(Func<Tensor[], Tensor> op, params Tensor[] inputs)
    {
        var result = GradCheck.Compare(Weighted(op), inputs);
        Assert.True(result.Passed, $"gradient mismatch: {result.Worst} (max abs error {result.MaxAbsoluteError:G4})");
    }

    public static TheoryData<string> UnaryOps => new() { "neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "erf", "gelu", "pow3", "pow_half", "square", "clamp" };

    [Theory, MemberData(nameof(UnaryOps))]
    public void UnaryOpGradientsMatchFiniteDifferences(string op)
    {
        var rng = new Rng(1);
        bool positive = op is "log" or "sqrt" or "pow_half";
        var x = Param(rng, positive ? 0.5f : -2f, 2f, 3, 4);
        if (op is "abs" or "relu" or "leaky_relu" or "clamp")
        {
            // keep away from the kink, where finite differences straddle two slopes
            var s = x.AsSpan();
            for (int i = 0; i < s.Length; i++) if (MathF.Abs(s[i]) < 0.05f || MathF.Abs(MathF.Abs(s[i]) - 1f) < 0.05f) s[i] += 0.2f;
        }
        Func<Tensor, Tensor> f = op switch
        {
            "neg" => t => -t,
            "exp" => t => t.Exp(),
            "log" => t => t.Log(),
            "sqrt" => t => t.Sqrt(),
            "abs" => t => t.Abs(),
            "tanh" => t => t.Tanh(),
            "sigmoid" => t => t.Sigmoid(),
            "relu" => t => t.Relu(),
            "leaky_relu" => t => t.LeakyRelu(0.1f),
            "softplus" => t => t.Softplus(),
            "erf" => t => t.Erf(),
            "gelu" => t => t.Gelu(),
            "pow3" => t => t.Pow(3f),
            "pow_half" => t => t.Pow(0.5f),
            "square" => t => t.Square(),
            "clamp" => t => t.Clamp(-1f, 1f),
            _ => throw new ArgumentException(op),
        };
        AssertGradients(xs => f(xs[0]), x);
    }

    public static TheoryData<string, int[], int[]> BinaryCases => new()
    {
        { "add", [3, 4], [3, 4] }, { "add", [3, 4], [4] }, { "add", [2, 3, 4], [3, 1] },
        { "sub", [3, 4], [1, 4] }, { "sub", [3], [2, 3] },
        { "mul", [3, 1], [1, 4] }, { "mul", [2, 3, 4], [] },
        { "div", [3, 4], [4] }, { "div", [3, 4], [3, 4] },
    };

    [Theory, MemberData(nameof(BinaryCases))]
    public void BroadcastingBinaryOpGradientsMatchFiniteDifferences(string op, int[] shapeA, int[] shapeB)
    {
        var rng = new Rng(2);
        var a = Param(rng, -2f, 2f, shapeA);
        var b = op == "div" ? Param(rng, 0.5f, 2f, shapeB) : Param(rng, -2f, 2f, shapeB);
        Func<Tensor, Tensor, Tensor> f = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            "div" => (x, y) => x / y,
            _ => throw new ArgumentException(op),
        };
        AssertGradients(xs => f(xs[0], xs[1]), a, b);
    }

    [Fact]
    public void ReductionGradientsMatchFiniteDifferences()
    {
        var rng = new Rng(3);
        var x = Param(rng, -2f, 2f, 2, 3, 4);
        AssertGradients(xs => xs[0].Sum(1), x);
        AssertGradients(xs => xs[0].Sum(-1, keepDim: true), x);
        AssertGradients(xs => xs[0].Mean(0), x);
        AssertGradients(xs => xs[0].Max(2), x);
        AssertGradients(xs => xs[0].Max().Reshape(1), x);
        AssertGradients(xs => xs[0].LogSumExp(1), x);
        AssertGradients(xs => xs[0].Softmax(-1), x);
        AssertGradients(xs => xs[0].LogSoftmax(1), x);
        AssertGradients(xs => xs[0].Variance(-1), x);
    }

    [Fact]
    public void ShapeOpGradientsMatchFiniteDifferences()
    {
        var rng = new Rng(4);
        var x = Param(rng, -2f, 2f, 2, 3, 4);
        var y = Param(rng, -2f, 2f, 2, 2, 4);
        AssertGradients(xs => xs[0].Reshape(6, 4).Tanh(), x);
        AssertGradients(xs => xs[0].Permute(2, 0, 1), x);
        AssertGradients(xs => xs[0].Transpose(0, 2), x);
        AssertGradients(xs => xs[0].Slice(1, 1, 2), x);
        AssertGradients(xs => xs[0].Slice(1, 1, 2).Pad(1, 0, 5), x);
        AssertGradients(xs => Tensor.Concat([xs[0], xs[1]], 1), x, y);
        AssertGradients(xs => xs[0].BroadcastTo(3, 2, 3, 4), x);
        AssertGradients(xs => xs[0].IndexSelect(1, [2, 0, 2]), x);
        AssertGradients(xs => xs[0].Reshape(6, 4).GatherRows([0, 3, 1, 1, 2, 3]), x);
        AssertGradients(xs => Tensor.Where(xs[0].Detach().Gt(0f), xs[0] * 2f, xs[0].Exp()), x);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMulGradientsMatchFiniteDifferencesForEveryTransposeCase(bool ta, bool tb)
    {
        var rng = new Rng(5);
        var a = Param(rng, -1f, 1f, ta ? [4, 3] : [3, 4]);
        var b = Param(rng, -1f, 1f, tb ? [5, 4] : [4, 5]);
        AssertGradients(xs => Tensor.MatMul(xs[0], xs[1], ta, tb), a, b);
    }

    [Fact]
    public void BatchedAndLeadingAxisMatMulGradientsMatchFiniteDifferences()
    {
        var rng = new Rng(6);
        var a = Param(rng, -1f, 1f, 2, 3, 4);
        var b = Param(rng, -1f, 1f, 2, 4, 5);
        var w = Param(rng, -1f, 1f, 4, 2);
        AssertGradients(xs => xs[0].MatMul(xs[1]), a, b);
        AssertGradients(xs => xs[0].MatMul(xs[1]), a, w);
    }

    [Fact]
    public void ConvolutionAndPoolingGradientsMatchFiniteDifferences()
    {
        var rng = new Rng(7);
        var x = Param(rng, -1f, 1f, 2, 2, 5, 5);
        var w = Param(rng, -1f, 1f, 3, 2, 3, 3);
        var b = Param(rng, -1f, 1f, 3);
        AssertGradients(xs => xs[0].Conv2d(xs[1], xs[2], stride: 2, padding: 1), x, w, b);
        AssertGradients(xs => xs[0].Conv2d(xs[1]), x, w);
        AssertGradients(xs => xs[0].MaxPool2d(2), x);
    }

    [Fact]
    public void ConvolutionGradientsWithoutAGraphEqualTheDifferentiableOnesBitForBit()
    {
        // Nine images: two groups of the weight gradient's ordered sums.
        var rng = new Rng(21);
        var x = Param(rng, -1f, 1f, 9, 2, 7, 6);
        var w = Param(rng, -1f, 1f, 3, 2, 3, 2);
        var b = Param(rng, -1f, 1f, 3);
        var v = Tensor.Uniform(rng, -1f, 1f, 9, 3, 4, 4);
        Tensor Loss() => (x.Conv2d(w, b, stride: 2, padding: 1) * v).Sum();
        var plain = Tensor.Gradients(Loss(), [x, w, b]);
        var differentiable = Tensor.Gradients(Loss(), [x, w, b], createGraph: true);
        for (int i = 0; i < 3; i++) Assert.Equal(differentiable[i].ToArray(), plain[i].ToArray());
        // And the forward pass is the composition it stands for: W·unfold(x) + b, per image.
        var composed = w.Reshape(3, -1).MatMul(x.Im2ColWide(3, 2, stride: 2, padding: 1)) + b.Reshape(3, 1);   // [OC, N·L]
        var expected = composed.Reshape(3, 9, 16).Transpose(0, 1).Reshape(9, 3, 4, 4).ToArray();
        var actual = x.Conv2d(w, b, stride: 2, padding: 1).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Theory]
    [InlineData(2, 3, 9, 1)]       // kernel rows of 9 taps: two vectors each, the second masked; 1144 positions: two runs of sums
    [InlineData(1, 3, 7, 3)]       // three (channel, row) units: the last paired with itself
    [InlineData(3, 5, 5, 2)]
    public void DirectConvolutionGradientsEqualTheDifferentiableOnesBitForBit(int channels, int kernelH, int kernelW, int stride)
    {
        // No padding and 8 out channels: the direct weight gradient and the fold through stride phases.
        // Nine images: two groups of the ordered sums.
        var rng = new Rng(22);
        var x = Param(rng, -1f, 1f, 9, channels, 24 * stride, 60);
        var w = Param(rng, -1f, 1f, 8, channels, kernelH, kernelW);
        Assert.True(DirectConvolution.Fits(new Window(channels, 24 * stride, 60, kernelH, kernelW, stride, 0), 8));
        var y = x.Conv2d(w, stride: stride);
        var v = Tensor.Uniform(rng, -1f, 1f, [.. y.Shape]);
        Tensor Loss() => (x.Conv2d(w, stride: stride) * v).Sum();
        var plain = Tensor.Gradients(Loss(), [x, w]);
        var differentiable = Tensor.Gradients(Loss(), [x, w], createGraph: true);
        for (int i = 0; i < 2; i++) Assert.Equal(differentiable[i].ToArray(), plain[i].ToArray());
    }

    [Fact]
    public void WideUnfoldAndItsAdjointMatchFiniteDifferences()
    {
        // Non-square kernel, stride 2 and padding 1, so windows hang over every edge.
        var rng = new Rng(11);
        var x = Param(rng, -1f, 1f, 2, 2, 5, 6);
        AssertGradients(xs => xs[0].Im2ColWide(3, 2, stride: 2, padding: 1), x);
        var w = new Window(2, 5, 6, 3, 2, 2, 1);
        var cols = Param(rng, -1f, 1f, w.PatchSize, 2 * w.OutH * w.OutW);
        AssertGradients(xs => xs[0].Col2ImWide(2, w), cols);
    }

    [Fact]
    public void GradientPenaltyThroughAConvolutionIsDifferentiable()
    {
        // ‖∇ₓ Σ v·conv(x, W)‖² depends on W through ∇ₓ, which is Col2ImWide(Wᵀ·v): its gradient
        // with respect to W needs the backward of the backward.
        var rng = new Rng(12);
        var x = Param(rng, -1f, 1f, 2, 2, 5, 5);
        var w = Param(rng, -1f, 1f, 3, 2, 3, 3);
        var v = Tensor.Uniform(new Rng(13), -1f, 1f, 2, 3, 3, 3);
        Tensor Penalty(Tensor[] p)
        {
            var d = (p[0].Conv2d(p[1], stride: 2, padding: 1) * v).Sum();
            var g = Tensor.Gradients(d, [p[0]], createGraph: true)[0];
            return (g * g).Sum();
        }
        var result = GradCheck.Compare(Penalty, [x, w]);
        Assert.True(result.Passed, result.Worst);
    }

    [Fact]
    public void FusedCrossEntropyAgreesWithItsCompositionToTheSecondDerivative()
    {
        // The fused op against −mean(log_softmax(x)[targets]): value, gradient, and the gradient of
        // a penalty on the gradient (the fused rule switches to ops under createGraph).
        var rng = new Rng(31);
        var x = Param(rng, -6f, 6f, 7, 4);
        int[] targets = [0, 3, 1, 1, 2, 0, 3];
        Tensor Composed(Tensor logits) => -logits.LogSoftmax(1).GatherRows(targets).Mean();
        Assert.Equal(Composed(x).Item(), Loss.CrossEntropy(x, targets).Item(), 5);
        var fusedGrad = Tensor.Gradients(Loss.CrossEntropy(x, targets), [x])[0].ToArray();
        var composedGrad = Tensor.Gradients(Composed(x), [x])[0].ToArray();
        for (int i = 0; i < fusedGrad.Length; i++) Assert.Equal(composedGrad[i], fusedGrad[i], 6);
        var g1 = Tensor.Gradients(Loss.CrossEntropy(x, targets), [x], createGraph: true)[0];
        var g2 = Tensor.Gradients(Composed(x), [x], createGraph: true)[0];
        var second1 = Tensor.Gradients((g1 * g1).Sum(), [x])[0].ToArray();
        var second2 = Tensor.Gradients((g2 * g2).Sum(), [x])[0].ToArray();
        for (int i = 0; i < second1.Length; i++) Assert.Equal(second2[i], second1[i], 5);
        Assert.Contains(second1, v => Math.Abs(v) > 1e-4);
        var e = Assert.Throws<IndexOutOfRangeException>(() => Loss.CrossEntropy(x, [0, 4, 1, 1, 2, 0, 3]));
        Assert.Contains("Class index 4 at row 1", e.Message);
    }

    [Fact]
    public void LossGradientsMatchFiniteDifferences()
    {
        var rng = new Rng(8);
        var p = Param(rng, -2f, 2f, 5, 3);
        var t = Tensor.Uniform(rng, -2f, 2f, 5, 3);
        var labels = Tensor.Uniform(rng, 0f, 1f, 5, 3);
        Assert.True(GradCheck.Compare(xs => Loss.Mse(xs[0], t), [p]).Passed);
        Assert.True(GradCheck.Compare(xs => Loss.CrossEntropy(xs[0], [0, 2, 1, 1, 0]), [p]).Passed);
        Assert.True(GradCheck.Compare(xs => Loss.BinaryCrossEntropyWithLogits(xs[0], labels), [p]).Passed);
        // Huber: keep |p − t| away from δ where the second derivative jumps
        var h = Tensor.FromArray([0.2f, -0.4f, 2.5f, -3f, 0.9f, 1.6f], 2, 3).AsParameter();
        Assert.True(GradCheck.Compare(xs => Loss.Huber(xs[0], Tensor.Zeros(2, 3), 1f), [h]).Passed);
    }

    [Fact]
    public void GradCheckCatchesAWrongBackwardRule()
    {
        var x = Param(new Rng(11), -1f, 1f, 4);
        static Tensor Identity(Tensor t)
        {
            var y = t.Detach().Clone();
            Tensor.Record(y, "bad_identity", t, static (n, dy, dx) => dx[0] = dy * 2f);   // deliberately wrong: d/dx x = 1
            return y;
        }
        var result = GradCheck.Compare(xs => Identity(xs[0]).Sum(), [x]);
        Assert.False(result.Passed);
        Assert.Contains("analytic 2", result.Worst);
    }

    [Fact]
    public void GradientPenaltyOfAnMlpIsDifferentiable()
    {
        // ‖∇ₓ D(x)‖² for a small tanh MLP D: the GAIL gradient penalty. Its gradient with respect to
        // D's parameters and x needs double backward.
        var rng = new Rng(9);
        var w1 = Param(rng, -1f, 1f, 3, 5);
        var b1 = Param(rng, -0.5f, 0.5f, 5);
        var w2 = Param(rng, -1f, 1f, 5, 1);
        var x = Param(rng, -1f, 1f, 4, 3);
        Tensor Penalty(Tensor[] p)
        {
            var d = (p[0].MatMul(p[1]) + p[2]).Tanh().MatMul(p[3]).Sum();
            var g = Tensor.Gradients(d, [p[0]], createGraph: true)[0];
            return (g * g).Sum();
        }
        var result = GradCheck.Compare(Penalty, [x, w1, b1, w2]);
        Assert.True(result.Passed, result.Worst);
    }

    [Fact]
    public void GatherRowsEqualsItsComposedFormBitForBitThroughDoubleBackward()
    {
        // GatherRows is a primitive (no flat index array per call); it must give the numbers of the
        // flat IndexSelect it replaced: values, gradients, and the gradient of a gradient penalty.
        var rng = new Rng(12);
        var logits = Param(rng, -2f, 2f, 5, 4);
        var w = Param(rng, -1f, 1f, 4, 4);
        int[] classes = [3, 0, 2, 2, 1];
        int[] flat = [.. classes.Select((c, i) => i * 4 + c)];
        float[][] Run(Func<Tensor, Tensor> gather)
        {
            var picked = gather(logits.MatMul(w).LogSoftmax());
            var g = Tensor.Gradients(picked.Sum(), [logits], createGraph: true)[0];
            var penalty = (g * g).Sum() + picked.Mean();
            var second = Tensor.Gradients(penalty, [logits, w]);
            return [picked.ToArray(), g.ToArray(), second[0].ToArray(), second[1].ToArray()];
        }
        var primitive = Run(t => t.GatherRows(classes));
        var composed = Run(t => t.Reshape(20).IndexSelect(0, flat));
        Assert.Equal(composed, primitive);
    }

    [Fact]
    public void HessianVectorProductMatchesFiniteDifferencesOfTheGradient()
    {
        var rng = new Rng(10);
        var x = Param(rng, -1f, 1f, 6);
        var v = Tensor.Uniform(rng, -1f, 1f, 6);
        static Tensor F(Tensor t) => (t.Tanh() * t.Tanh() * t).Sum() + (t * t).Sum().Sqrt();
        var g = Tensor.Gradients(F(x), [x], createGraph: true)[0];
        var hv = Tensor.Gradients((g * v).Sum(), [x])[0];
        const float h = 1e-2f;
        var xp = (x.Detach() + v * h).AsParameter();
        var xm = (x.Detach() - v * h).AsParameter();
        var gp = Tensor.Gradients(F(xp), [xp])[0];
        var gm = Tensor.Gradients(F(xm), [xm])[0];
        for (int i = 0; i < 6; i++)
        {
            double numeric = (gp.Span[i] - gm.Span[i]) / (2.0 * h);
            Assert.True(Math.Abs(hv.Span[i] - numeric) < 2e-3 + 2e-2 * Math.Abs(numeric), $"H·v[{i}]: {hv.Span[i]} vs {numeric}");
        }
    }
}
