using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Nn;

public class LayerTests
{
    [Fact]
    public void LinearComputesXTimesWTransposePlusB()
    {
        var layer = new Linear(3, 2, new Rng(0));
        layer.Weight.CopyFrom(Tensor.FromArray([1f, 2f, 3f, -1f, 0.5f, 0f], 2, 3));
        layer.Bias!.CopyFrom(Tensor.FromArray([0.25f, -2f]));
        var x = Tensor.FromArray([1f, 0f, -1f, 2f, 4f, 0.5f], 2, 3);
        var y = layer.Forward(x);
        Assert.Equal([2, 2], y.Shape.ToArray());
        // row 0: [1·1 + 0·2 − 1·3, −1·1 + 0 + 0] + b; row 1: [2 + 8 + 1.5, −2 + 2 + 0] + b
        Assert.Equal([-2f + 0.25f, -1f - 2f, 11.5f + 0.25f, 0f - 2f], y.ToArray());
        Assert.Equal([-1.75f, -3f], layer.Forward(Tensor.FromArray([1f, 0f, -1f])).ToArray());   // one sample
        Assert.Equal([2, 5, 2], layer.Forward(Tensor.Zeros(2, 5, 3)).Shape.ToArray());           // leading axes kept
    }

    [Theory]
    [InlineData(5, 7)]
    [InlineData(3, 1)]                                                     // one output: the bias is added as a scalar
    public void LinearForwardAndGradientsEqualProductPlusBroadcastBiasBitForBit(int rows, int outputs)
    {
        var rng = new Rng(outputs);
        var layer = new Linear(4, outputs, rng);
        var x = Tensor.Normal(rng, 0f, 1f, rows, 4);
        x.RequiresGrad = true;
        var fused = layer.Forward(x);
        var (dx, dw, db) = Grads(fused.Tanh().Sum());
        var composed = Tensor.MatMul(x, layer.Weight, transposeA: false, transposeB: true) + layer.Bias!;
        var (cx, cw, cb) = Grads(composed.Tanh().Sum());
        Assert.Equal(composed.ToArray(), fused.ToArray());
        Assert.Equal(cx, dx);
        Assert.Equal(cw, dw);
        Assert.Equal(cb, db);
        // Twice differentiable, as the composed ops are: the gradient penalty's path.
        var g = Tensor.Gradients(layer.Forward(x).Square().Sum(), [x], createGraph: true)[0];
        var h = Tensor.Gradients(composed.Square().Sum(), [x], createGraph: true)[0];
        Assert.Equal(Tensor.Gradients(h.Square().Sum(), [layer.Weight])[0].ToArray(), Tensor.Gradients(g.Square().Sum(), [layer.Weight])[0].ToArray());

        (float[], float[], float[]) Grads(Tensor loss)
        {
            var grads = Tensor.Gradients(loss, [x, layer.Weight, layer.Bias!]);
            return (grads[0].ToArray(), grads[1].ToArray(), grads[2].ToArray());
        }
    }

    [Fact]
    public void LinearGradientsAreTheHandDerivedOnes()
    {
        var rng = new Rng(1);
        var layer = new Linear(3, 2, rng);
        var x = Tensor.Normal(rng, 0f, 1f, 4, 3);
        layer.Forward(x).Sum().Backward();                                 // dL/dW[o, i] = Σₙ x[n, i]; dL/db = N
        var xs = x.ToArray();
        for (int o = 0; o < 2; o++)
            for (int i = 0; i < 3; i++)
                Assert.Equal(xs[i] + xs[3 + i] + xs[6 + i] + xs[9 + i], layer.Weight.Grad![o, i], 5);
        Assert.Equal([4f, 4f], layer.Bias!.Grad!.ToArray());
    }

    [Fact]
    public void LinearWithoutBiasAndBadInput()
    {
        var layer = new Linear(3, 2, new Rng(0), bias: false);
        Assert.Null(layer.Bias);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Name).ToArray());
        var ex = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(4, 5)));
        Assert.Contains("[..., 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }

    [Fact]
    public void LinearDefaultInitIsUniformWithinOneOverSqrtFanIn()
    {
        var layer = new Linear(64, 256, new Rng(2));
        float bound = 1f / MathF.Sqrt(64);
        var w = layer.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        // 16384 uniform draws: the extremes come within 0.1% of the bound with overwhelming probability.
        Assert.True(w.Max() > 0.99f * bound && w.Min() < -0.99f * bound);
        Assert.Equal(layer.Weight.ToArray(), new Linear(64, 256, new Rng(2)).Weight.ToArray());   // same seed, same numbers
    }

    [Fact]
    public unsafe void WeightedLayersKeepTheirParametersOnCacheLines()
    {
        var rng = new Rng(3);
        Module[] layers = [new Linear(17, 256, rng), new Linear(256, 6, rng), new Conv2d(3, 8, 4, 2, 0, rng), new Embedding(10, 5, rng)];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (var layer in layers)
            foreach (var (name, parameter) in layer.NamedParameters())
                fixed (float* p = parameter.Span)
                    Assert.True((long)p % 64 == 0, $"{layer.GetType().Name}.{name} starts {(long)p % 64} bytes into a cache line");
    }

    [Fact]
    public void Conv2dHandCheckedCase()
    {
        var conv = new Conv2d(1, 1, 2, stride: 1, padding: 0, new Rng(0));
        conv.Weight.CopyFrom(Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 2));
        conv.Bias!.CopyFrom(Tensor.FromArray([0.5f], 1));
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 1, 1, 3, 3);
        var y = conv.Forward(x);
        Assert.Equal([1, 1, 2, 2], y.Shape.ToArray());
        // top-left window [1 2; 4 5]·[1 2; 3 4] = 1 + 4 + 12 + 20 = 37, and so on, plus the bias.
        Assert.Equal([37.5f, 47.5f, 67.5f, 77.5f], y.ToArray());
    }

    [Fact]
    public void Conv2dShapesParametersAndInit()
    {
        var rng = new Rng(3);
        var conv = new Conv2d(3, 4, 3, stride: 2, padding: 1, rng);
        Assert.Equal([4, 3, 3, 3], conv.Weight.Shape.ToArray());
        Assert.Equal(["weight", "bias"], conv.NamedParameters().Select(p => p.Name).ToArray());
        var y = conv.Forward(Tensor.Normal(rng, 0f, 1f, 2, 3, 8, 8));
        Assert.Equal([2, 4, 4, 4], y.Shape.ToArray());                     // (8 + 2 − 3) / 2 + 1 = 4
        float bound = 1f / MathF.Sqrt(3 * 3 * 3);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(conv.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        var ex = Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros(1, 2, 8, 8)));
        Assert.Contains("[N, 3, H, W]", ex.Message);
    }

    [Fact]
    public void EmbeddingLooksUpRows()
    {
        var emb = new Embedding(5, 3, new Rng(4));
        var table = emb.Weight.ToArray();
        var y = emb.Forward([4, 0, 4]);
        Assert.Equal([3, 3], y.Shape.ToArray());
        Assert.Equal(table[12..15].Concat(table[0..3]).Concat(table[12..15]).ToArray(), y.ToArray());
        var fromFloats = emb.Forward(Tensor.FromArray([4f, 0f, 4f, 1f], 2, 2));
        Assert.Equal([2, 2, 3], fromFloats.Shape.ToArray());
        Assert.Equal(y.ToArray(), fromFloats.ToArray()[..9]);
        Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([5]));
        Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([1.5f])));
    }

    [Fact]
    public void EmbeddingAccumulatesGradientsOfRepeatedIndices()
    {
        var rng = new Rng(5);
        var emb = new Embedding(4, 2, rng);
        var c = Tensor.Normal(rng, 0f, 1f, 4, 2);
        (emb.Forward([1, 3, 1, 1]) * c).Sum().Backward();
        var g = emb.Weight.Grad!;
        var cs = c.ToArray();
        for (int d = 0; d < 2; d++)
        {
            Assert.Equal(0f, g[0, d]);
            Assert.Equal(cs[0 * 2 + d] + cs[2 * 2 + d] + cs[3 * 2 + d], g[1, d], 6);   // rows 0, 2, 3 of c looked up index 1
            Assert.Equal(0f, g[2, d]);
            Assert.Equal(cs[1 * 2 + d], g[3, d]);
        }
    }

    [Fact]
    public void EmbeddingInitIsStandardNormal()
    {
        var w = new Embedding(512, 256, new Rng(6)).Weight.ToArray();
        var (mean, std) = NnTestMath.Stats(w);
        // 131072 draws: standard errors 0.0028 (mean) and 0.002 (std); 1.5% is over 5 of them.
        Assert.InRange(mean, -0.015, 0.015);
        Assert.InRange(std, 0.985, 1.015);
    }

    [Fact]
    public void LayerNormMatchesHandComputation()
    {
        var ln = new LayerNorm(4);
        Assert.Equal(["weight", "bias"], ln.NamedParameters().Select(p => p.Name).ToArray());
        ln.Weight!.CopyFrom(Tensor.FromArray([1f, 2f, 0.5f, -1f]));
        ln.Bias!.CopyFrom(Tensor.FromArray([0f, 1f, 0f, 3f]));
        var rows = new[] { new[] { 1.0, 2, 3, 4 }, new[] { -3.0, 10, 0.5, 0.5 } };
        var x = Tensor.FromRows(rows.Select(r => r.Select(v => (float)v).ToArray()).ToArray());
        var y = ln.Forward(x);
        double[] gamma = [1, 2, 0.5, -1], beta = [0, 1, 0, 3];
        for (int r = 0; r < 2; r++)
        {
            double mean = rows[r].Average();
            double variance = rows[r].Select(v => (v - mean) * (v - mean)).Average();   // biased
            for (int c = 0; c < 4; c++)
                Assert.Equal((rows[r][c] - mean) / Math.Sqrt(variance + 1e-5) * gamma[c] + beta[c], y[r, c], 5);
        }
    }

    [Fact]
    public void LayerNormRowsHaveZeroMeanAndUnitVariance()
    {
        var rng = new Rng(7);
        var ln = new LayerNorm(64, elementwiseAffine: false);
        Assert.Empty(ln.Parameters());
        var x = Tensor.Normal(rng, 3f, 5f, 2, 8, 64);
        var y = ln.Forward(x).ToArray();
        for (int row = 0; row < 16; row++)
        {
            var (mean, std) = NnTestMath.Stats(y.AsSpan(row * 64, 64).ToArray());
            Assert.InRange(mean, -1e-5, 1e-5);
            Assert.InRange(std * std, 1 - 1e-4, 1 + 1e-4);                   // exact up to float rounding and eps/var ≈ 4e-7
        }
        Assert.Throws<ArgumentException>(() => ln.Forward(Tensor.Zeros(2, 63)));
    }

    [Fact]
    public void LayerNormPassesGradientsToInputAndAffineParameters()
    {
        var rng = new Rng(8);
        var ln = new LayerNorm(5);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 5).AsParameter();
        var c = Tensor.Normal(rng, 0f, 1f, 3, 5);
        (ln.Forward(x) * c).Sum().Backward();
        // The bias gradient is Σ_rows c; the input gradient of a normalisation sums to 0 along each row.
        for (int j = 0; j < 5; j++) Assert.Equal(c[0, j] + c[1, j] + c[2, j], ln.Bias!.Grad![j], 5);
        Assert.NotNull(ln.Weight!.Grad);
        for (int r = 0; r < 3; r++)
            Assert.Equal(0.0, Enumerable.Range(0, 5).Sum(j => (double)x.Grad![r, j]), 5);
    }

    [Fact]
    public void DropoutIsIdentityInEvalMode()
    {
        var dropout = new Dropout(0.5f, new Rng(9));
        var x = Tensor.Normal(new Rng(10), 0f, 1f, 10, 10);
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
        Assert.Empty(dropout.Parameters());
    }

    [Fact]
    public void DropoutZeroesAboutPAndScalesSurvivors()
    {
        const float p = 0.3f;
        var dropout = new Dropout(p, new Rng(11));
        var x = Tensor.Full(2f, 200, 500).AsParameter();
        var y = dropout.Forward(x).ToArray();
        int zeros = y.Count(v => v == 0f);
        // 100000 draws: the zero fraction has standard error √(0.21/1e5) ≈ 0.00145; 0.0075 is over 5 of them.
        Assert.InRange(zeros / 100000.0, p - 0.0075, p + 0.0075);
        Assert.All(y, v => Assert.True(v == 0f || v == 2f * (1f / (1f - p)), $"unexpected value {v}"));
        dropout.Forward(x).Sum().Backward();                              // gradient: the mask itself
        Assert.All(x.Grad!.ToArray(), g => Assert.True(g == 0f || g == 1f / (1f - p)));
    }

    [Fact]
    public void DropoutSameSeedSameMasksAndFreshMasksPerCall()
    {
        var x = Tensor.Ones(50, 40);
        var a = new Dropout(0.5f, new Rng(12));
        var b = new Dropout(0.5f, new Rng(12));
        var a1 = a.Forward(x).ToArray();
        Assert.Equal(a1, b.Forward(x).ToArray());
        var a2 = a.Forward(x).ToArray();
        Assert.Equal(a2, b.Forward(x).ToArray());
        Assert.NotEqual(a1, a2);
    }

    [Fact]
    public void DropoutEdgeProbabilities()
    {
        var x = Tensor.Normal(new Rng(13), 0f, 1f, 4, 4);
        Assert.Equal(x.ToArray(), new Dropout(0f, new Rng(0)).Forward(x).ToArray());
        Assert.All(new Dropout(1f, new Rng(0)).Forward(x).ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5f, new Rng(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(float.NaN, new Rng(0)));
    }

    public static TheoryData<string> ActivationNames => new() { "relu", "tanh", "sigmoid", "gelu", "leaky", "softplus", "identity" };

    [Theory, MemberData(nameof(ActivationNames))]
    public void ActivationModulesApplyTheirTensorOp(string name)
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 0.5f, 3f]);
        (Module module, Tensor expected) = name switch
        {
            "relu" => ((Module)new ReLU(), x.Relu()),
            "tanh" => (new Tanh(), x.Tanh()),
            "sigmoid" => (new Sigmoid(), x.Sigmoid()),
            "gelu" => (new GELU(), x.Gelu()),
            "leaky" => (new LeakyReLU(0.2f), x.LeakyRelu(0.2f)),
            "softplus" => (new Softplus(), x.Softplus()),
            _ => (new Identity(), x),
        };
        Assert.Equal(expected.ToArray(), module.Forward(x).ToArray());
        Assert.Equal(0, module.ParameterCount);
    }

    [Fact]
    public void FlattenKeepsTheBatchAxis()
    {
        var y = new Flatten().Forward(Tensor.Arange(24).Reshape(2, 3, 4));
        Assert.Equal([2, 12], y.Shape.ToArray());
        Assert.Equal(Tensor.Arange(24).ToArray(), y.ToArray());
    }

    [Fact]
    public void GradientsFlowToEveryParameterOfAMixedNetwork()
    {
        var rng = new Rng(14);
        var model = new Sequential(
            new Conv2d(2, 3, 3, stride: 1, padding: 1, rng), new ReLU(), new Flatten(),
            new Linear(3 * 4 * 4, 8, rng), new LayerNorm(8), new GELU(), new Dropout(0.1f, rng),
            new Linear(8, 2, rng));
        var x = Tensor.Normal(rng, 0f, 1f, 5, 2, 4, 4);
        Loss.Mse(model.Forward(x), Tensor.Normal(rng, 0f, 1f, 5, 2)).Backward();
        Assert.Equal(8, model.Parameters().Count);
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient");
            Assert.Contains(p.Grad!.ToArray(), g => g != 0f);
        }
    }

    [Fact]
    public void MlpBuildsLinearActivationChains()
    {
        var rng = new Rng(15);
        var mlp = Mlp.Create([4, 64, 64, 2], () => new Tanh(), rng);
        Assert.Equal(5, mlp.Count);
        Assert.IsType<Linear>(mlp[0]);
        Assert.IsType<Tanh>(mlp[1]);
        Assert.IsType<Linear>(mlp[2]);
        Assert.IsType<Tanh>(mlp[3]);
        Assert.IsType<Linear>(mlp[4]);
        Assert.Equal(4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2, mlp.ParameterCount);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], mlp.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal([7, 2], mlp.Forward(Tensor.Zeros(7, 4)).Shape.ToArray());

        var squashed = Mlp.Create([3, 2], () => new ReLU(), rng, outputActivation: () => new Tanh());
        Assert.Equal(2, squashed.Count);
        Assert.IsType<Tanh>(squashed[1]);
        Assert.All(squashed.Forward(Tensor.Normal(rng, 0f, 100f, 10, 3)).ToArray(), v => Assert.InRange(v, -1f, 1f));

        Assert.Throws<ArgumentException>(() => Mlp.Create([4], () => new Tanh(), rng));
        Assert.Throws<ArgumentException>(() => Mlp.Create([4, 0, 2], () => new Tanh(), rng));
    }
}
