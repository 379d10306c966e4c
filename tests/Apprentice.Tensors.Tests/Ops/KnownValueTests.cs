using System.Runtime.Intrinsics;
using Apprentice.Tensors.Kernels;
using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Ops;

public class KnownValueTests
{
    [Fact]
    public void ComparisonMasksAgreeWithScalarComparisonsOnEveryLane()
    {
        // 19 values: two full vector blocks and a scalar tail, with ties, NaN and signed zeros.
        var values = new float[19];
        for (int i = 0; i < values.Length; i++) values[i] = (i % 5) - 2f;
        values[3] = float.NaN;
        values[17] = float.NaN;
        values[8] = -0f;
        var x = Tensor.FromArray(values);
        foreach (float at in new[] { 0f, 1f, -2f })
        {
            Assert.Equal(values.Select(v => v > at ? 1f : 0f), x.Gt(at).ToArray());
            Assert.Equal(values.Select(v => v >= at ? 1f : 0f), x.Ge(at).ToArray());
            Assert.Equal(values.Select(v => v < at ? 1f : 0f), x.Lt(at).ToArray());
            Assert.Equal(values.Select(v => v <= at ? 1f : 0f), x.Le(at).ToArray());
        }
    }

    [Fact]
    public void SoftmaxAndLogSoftmaxAreStableAtHugeLogits()
    {
        var logits = Tensor.FromArray([1e4f, -1e4f, 0f, 1e4f], 1, 4);
        var p = logits.Softmax().ToArray();
        var lp = logits.LogSoftmax().ToArray();
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0.5f, p[0], 6);
        Assert.Equal(0f, p[1]);
        Assert.Equal(0.5f, p[3], 6);
        Assert.Equal(-MathF.Log(2f), lp[0], 5);
        Assert.Equal(-2e4f - MathF.Log(2f), lp[1], 0);
        Assert.Equal(-1e4f - MathF.Log(2f), lp[2], 0);
        var negative = Tensor.FromArray([-1e4f, -1e4f], 1, 2).Softmax().ToArray();
        Assert.Equal([0.5f, 0.5f], negative);
    }

    [Fact]
    public void CrossEntropyAndBceMatchHandComputation()
    {
        var logits = Tensor.FromArray([2f, 0f, -1f, 0.5f, 0.5f, 0.5f], 2, 3);
        double row0 = -(2 - Math.Log(Math.Exp(2) + 1 + Math.Exp(-1)));
        double row1 = Math.Log(3);
        Assert.Equal((row0 + row1) / 2, Loss.CrossEntropy(logits, [0, 2]).Item(), 5);
        var x = Tensor.FromArray([100f, -100f, 0f]);
        var y = Tensor.FromArray([1f, 1f, 0.5f]);
        double expected = (0 + 100 + Math.Log(2)) / 3;   // large logits stay finite
        Assert.Equal(expected, Loss.BinaryCrossEntropyWithLogits(x, y).Item(), 4);
        Assert.Equal((0.5 * 0.25 + (3 - 0.5)) / 2, Loss.Huber(Tensor.FromArray([0.5f, -3f]), Tensor.Zeros(2)).Item(), 6);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-2.0, -0.9953222650189527)]
    [InlineData(3.5, 0.9999992569016276)]
    public void ErfMatchesTabulatedValues(double x, double expected) =>
        Assert.Equal(expected, ErfKernel.Erf(x), 12);

    [Fact]
    public void GeluMatchesTheExactDefinition()
    {
        var x = Tensor.FromArray([-3f, -1f, 0f, 0.5f, 2f]);
        var y = x.Gelu().ToArray();
        double[] expected = [-0.0040496970, -0.15865525, 0, 0.34573123, 1.9544997];
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], y[i], 5);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(32, 64, 4)]
    [InlineData(33, 65, 130)]
    [InlineData(200, 150, 300)]
    [InlineData(513, 260, 257)]
    [InlineData(1, 256, 255)]
    [InlineData(2, 7, 17)]
    [InlineData(3, 6, 33)]
    [InlineData(4, 9, 1)]
    [InlineData(5, 65, 301)]
    [InlineData(8, 300, 147)]
    [InlineData(16, 70, 200)]
    [InlineData(7, 33, 300)]
    [InlineData(24, 2100, 20)]
    [InlineData(263, 6, 257)]                                              // narrow strips, packing tails in rows and depth
    [InlineData(97, 17, 9)]
    public void GemmMatchesADoublePrecisionProductForEveryTransposeCase(int m, int n, int k)
    {
        var rng = new Rng(m * 1000 + n * 10 + k);
        var a = Tensor.Uniform(rng, -1f, 1f, m, k).ToArray();
        var b = Tensor.Uniform(rng, -1f, 1f, k, n).ToArray();
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                expected[i * n + j] = s;
            }
        var at = Transposed(a, m, k);
        var bt = Transposed(b, k, n);
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var c = new float[m * n];
            Gemm.Multiply(ta ? at : a, tb ? bt : b, c, m, n, k, ta, tb);
            for (int i = 0; i < c.Length; i++)
                Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * k, $"({ta}, {tb}) element {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [InlineData(3, 7, 45)]
    [InlineData(1, 256, 17)]       // a MuJoCo policy's first layer on one observation
    [InlineData(1, 19, 17)]        // a last group of three columns
    [InlineData(2, 12, 4)]         // fewer terms than a vector: only the scalar tail
    [InlineData(1, 16, 63)]        // runs of sixteen, one of eight and a tail
    [InlineData(4, 10, 64)]        // whole runs of sixteen only
    [InlineData(5, 24, 9)]
    [InlineData(1, 6, 256)]        // a MuJoCo policy's last layer: one group of two columns
    [InlineData(256, 2, 64)]       // CartPole's logits over a batch: two columns, two rows at a time
    [InlineData(5, 2, 27)]         // … an odd last row, and runs of sixteen, one of eight and a tail
    [InlineData(4, 6, 9)]          // a group of four, then two columns for pairs of rows
    public void SmallTransposedProductGivesEachColumnTheSameBitsWhateverItsNeighbours(int m, int n, int k)
    {
        // x·Wᵀ for one or a few rows (the Linear layout at inference): the direct path computes
        // output columns in groups of four; a column's value must not depend on the group it lands
        // in, and each is the dot product in the order Gemm.Dot4 documents (below).
        Assert.False(Gemm.IsBlocked(m, n, k));
        var rng = new Rng(21 + m * 131 + n * 17 + k);
        var a = Tensor.Uniform(rng, -1f, 1f, m, k).ToArray();
        var b = Tensor.Uniform(rng, -1f, 1f, n, k).ToArray();
        var all = new float[m * n];
        Gemm.Multiply(a, b, all, m, n, k, false, true);
        var again = new float[m * n];
        Gemm.Multiply(a, b, again, m, n, k, false, true);
        Assert.Equal(all, again);
        for (int j = 0; j < n; j++)
        {
            var single = new float[m];
            Gemm.Multiply(a, b.AsSpan(j * k, k), single, m, 1, k, false, true);
            for (int i = 0; i < m; i++)
            {
                Assert.Equal(all[i * n + j], single[i]);
                if (System.Runtime.Intrinsics.X86.Avx.IsSupported)
                    Assert.Equal(DirectDotProduct(a.AsSpan(i * k, k), b.AsSpan(j * k, k)), all[i * n + j]);
            }
        }
    }

    // The direct path's order for one output: eight lanes of two accumulators over runs of sixteen
    // terms (and one more run of eight into the first), each lane's terms fused multiply-adds in
    // order; the two accumulators added lane by lane, the lanes summed pairwise as Vector256.Sum
    // does, then the last terms fused multiply-adds in order.
    private static float DirectDotProduct(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        int k = x.Length, p = 0;
        var s0 = new float[8];
        var s1 = new float[8];
        for (; p + 16 <= k; p += 16)
            for (int l = 0; l < 8; l++)
            {
                s0[l] = MathF.FusedMultiplyAdd(x[p + l], w[p + l], s0[l]);
                s1[l] = MathF.FusedMultiplyAdd(x[p + 8 + l], w[p + 8 + l], s1[l]);
            }
        if (p + 8 <= k)
        {
            for (int l = 0; l < 8; l++) s0[l] = MathF.FusedMultiplyAdd(x[p + l], w[p + l], s0[l]);
            p += 8;
        }
        var t = new float[8];
        for (int l = 0; l < 8; l++) t[l] = s0[l] + s1[l];
        float d = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
        for (; p < k; p++) d = MathF.FusedMultiplyAdd(x[p], w[p], d);
        return d;
    }

    [Theory]
    [InlineData(64, 4, 256, true, false)]      // CartPole's first-layer weight gradient (Aᵀ·B)
    [InlineData(1024, 6, 256, false, true)]    // a cheetah policy's output layer (A·Bᵀ)
    [InlineData(301, 2, 600, false, false)]    // three panels, rows not a multiple of 8
    [InlineData(37, 8, 300, true, true)]       // 16-, 8- and 1-row blocks, two panels
    [InlineData(200, 1, 190, true, false)]
    [InlineData(256, 64, 4, false, true)]      // CartPole's first layer: the shallow kernel
    [InlineData(100, 100, 5, false, false)]    // … its 64-, 32- and 1-column blocks
    [InlineData(300, 45, 8, true, false)]      // 32-, 8- and 1-column blocks, Aᵀ
    [InlineData(1024, 17, 3, false, false)]
    [InlineData(96, 3, 300, true, false)]      // at most four columns: 32-row blocks, two panels
    [InlineData(70, 2, 300, true, true)]       // … then the last rows one at a time
    [InlineData(300, 130, 1, true, false)]     // one term: the shallow kernel holds B's block in registers
    [InlineData(200, 64, 3, true, true)]       // … three terms, both operands transposed
    [InlineData(150, 70, 4, false, false)]     // … four terms and a tail of six columns
    public void NarrowBlockedProductsSumEachElementInPanelRuns(int m, int n, int k, bool transA, bool transB)
    {
        // Blocked products sum each element as multiply-adds in order from zero over runs of
        // PanelDepth terms, each run then added to C (the order DirectConvolution reproduces).
        // Products of at most eight columns, or over at most eight terms, take their own kernels;
        // they must keep that order.
        Assert.True(Gemm.IsBlocked(m, n, k));
        var rng = new Rng(8);
        var a = new float[m * k];
        var b = new float[k * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.Uniform(-1, 1) * Math.Pow(10, rng.Integers(-3, 3)));
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.Uniform(-1, 1);
        var c = new float[m * n];
        Gemm.Multiply(a, b, c, m, n, k, transA, transB);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float total = 0f;
                for (int pc = 0; pc < k; pc += Gemm.PanelDepth)
                {
                    float run = 0f;
                    for (int p = pc; p < Math.Min(k, pc + Gemm.PanelDepth); p++)
                        run = MathF.FusedMultiplyAdd(transA ? a[p * m + i] : a[i * k + p], transB ? b[j * k + p] : b[p * n + j], run);
                    total = pc == 0 ? run : total + run;
                }
                Assert.Equal(BitConverter.SingleToInt32Bits(total), BitConverter.SingleToInt32Bits(c[i * n + j]));
            }
    }

    [Theory]
    [InlineData(256, 64, 2, false)]     // CartPole's output-layer input gradient
    [InlineData(2, 64, 256, true)]      // its weight gradient
    [InlineData(3, 45, 30, false)]      // a vector and a half, and a scalar tail
    [InlineData(5, 70, 3, true)]        // pairs of rows and a last row, Aᵀ, with both tails
    public void SmallPlainProductsSumAsRowByRowMultiplyAdds(int m, int n, int k, bool transA)
    {
        // The direct path for an untransposed B keeps each row's sums in registers; the bits must be
        // those of accumulating the row with TensorPrimitives.MultiplyAdd term by term (rounded
        // product, then add), as it did before.
        Assert.False(Gemm.IsBlocked(m, n, k));
        var rng = new Rng(9);
        var a = new float[m * k];
        var b = new float[k * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.Uniform(-1, 1) * Math.Pow(10, rng.Integers(-3, 3)));
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.Uniform(-1, 1);
        var c = new float[m * n];
        Gemm.Multiply(a, b, c, m, n, k, transA, false);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            var row = expected.AsSpan(i * n, n);
            for (int p = 0; p < k; p++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.AsSpan(p * n, n), transA ? a[p * m + i] : a[i * k + p], row, row);
        }
        for (int i = 0; i < c.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(c[i]));
    }

    [Theory]
    [InlineData(17)]      // one 16-wide step and a one-term tail
    [InlineData(45)]      // two 16-wide steps, an 8-wide step and a tail of five
    [InlineData(256)]
    public void SmallTransposedProductSumsEachColumnInTheDocumentedOrder(int k)
    {
        // Each column of the direct path is two 8-lane accumulators over 16-wide steps (plus one
        // 8-wide step into the first), reduced by Vector256.Sum, then the tail's multiply-adds in
        // order. The kernel reduces four columns at once with horizontal adds; this spells out the
        // plain per-column sequence and demands the same bits. Values span six decades, so a
        // different addition tree would show.
        const int n = 7;
        var rng = new Rng(5);
        var x = new float[k];
        var w = new float[n * k];
        for (int i = 0; i < k; i++) x[i] = (float)(rng.Uniform(-1, 1) * Math.Pow(10, rng.Integers(-3, 3)));
        for (int i = 0; i < w.Length; i++) w[i] = (float)rng.Uniform(-1, 1);
        var y = new float[n];
        Gemm.Multiply(x, w, y, 1, n, k, false, true);
        for (int j = 0; j < n; j++)
        {
            var row = w.AsSpan(j * k, k);
            Vector256<float> s0 = default, s1 = default;
            int p = 0;
            for (; p + 16 <= k; p += 16)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create<float>(x.AsSpan(p)), Vector256.Create<float>(row[p..]), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Create<float>(x.AsSpan(p + 8)), Vector256.Create<float>(row[(p + 8)..]), s1);
            }
            if (p + 8 <= k)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create<float>(x.AsSpan(p)), Vector256.Create<float>(row[p..]), s0);
                p += 8;
            }
            float expected = Vector256.Sum(s0 + s1);
            for (; p < k; p++) expected = MathF.FusedMultiplyAdd(x[p], row[p], expected);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(y[j]));
        }
    }

    [Fact]
    public void GemmGivesBitIdenticalResultsOnOneOrTwoThreads()
    {
        var rng = new Rng(12);
        int m = 301, n = 257, k = 190;
        var a = Tensor.Uniform(rng, -1f, 1f, m * k).ToArray();
        var b = Tensor.Uniform(rng, -1f, 1f, k * n).ToArray();
        var one = new float[m * n];
        var two = new float[m * n];
        var three = new float[m * n];
        Gemm.Multiply(a, b, one, m, n, k, false, false, maxThreads: 1);
        Gemm.Multiply(a, b, two, m, n, k, false, false, maxThreads: 2);
        Gemm.Multiply(a, b, three, m, n, k, false, false, maxThreads: 3);
        Assert.Equal(one, two);
        Assert.Equal(one, three);
    }

    [Theory]
    [InlineData(3, 3, 1, 1)]
    [InlineData(3, 2, 2, 1)]
    [InlineData(2, 3, 3, 2)]
    [InlineData(5, 5, 2, 0)]
    public void WideUnfoldIsTheTransposeOfIm2Col(int kernelH, int kernelW, int stride, int padding)
    {
        var x = Tensor.Uniform(new Rng(kernelH * 100 + kernelW * 10 + stride), -1f, 1f, 2, 3, 7, 8);
        var rows = x.Im2Col(kernelH, kernelW, stride, padding);                     // [N, L, P]
        var wide = x.Im2ColWide(kernelH, kernelW, stride, padding);                 // [P, N·L]
        var expected = rows.Reshape(-1, rows.Shape[2]).T;
        Assert.Equal(expected.Shape.ToArray(), wide.Shape.ToArray());
        Assert.Equal(expected.ToArray(), wide.ToArray());                           // pure copies: bit for bit
    }

    [Fact]
    public void ConvolutionMatchesADirectSum()
    {
        var rng = new Rng(13);
        var x = Tensor.Uniform(rng, -1f, 1f, 1, 2, 4, 4);
        var w = Tensor.Uniform(rng, -1f, 1f, 3, 2, 3, 3);
        var y = x.Conv2d(w, stride: 1, padding: 1);
        Assert.Equal([1, 3, 4, 4], y.Shape.ToArray());
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                {
                    double s = 0;
                    for (int c = 0; c < 2; c++)
                        for (int di = 0; di < 3; di++)
                            for (int dj = 0; dj < 3; dj++)
                            {
                                int ii = i + di - 1, jj = j + dj - 1;
                                if (ii >= 0 && ii < 4 && jj >= 0 && jj < 4) s += x[0, c, ii, jj] * w[o, c, di, dj];
                            }
                    Assert.Equal(s, y[0, o, i, j], 5);
                }
        var pooled = Tensor.FromArray([1f, 5f, 2f, 0f, 3f, 4f, 8f, 1f, 0f, 0f, 9f, 7f, 6f, 2f, 1f, 3f], 1, 1, 4, 4).MaxPool2d(2);
        Assert.Equal([5f, 8f, 6f, 9f], pooled.ToArray());
    }

    [Theory]
    [InlineData(3, 3, 20, 23, 8, 10, 1)]      // 300 taps: two runs of sums; rows of 14 outputs: two overlapping vectors
    [InlineData(2, 2, 21, 40, 16, 5, 2)]      // stride 2, rows of 18 outputs: three vectors, the last pair repeated
    [InlineData(2, 3, 44, 44, 8, 7, 3)]       // stride 3, rows of 13 outputs
    public void DirectConvolutionEqualsUnfoldTimesWeightBitForBit(int batch, int channels, int height, int width, int outChannels, int kernel, int stride)
    {
        var rng = new Rng(31);
        var x = Tensor.Uniform(rng, -1f, 1f, batch, channels, height, width);
        var w = Tensor.Uniform(rng, -1f, 1f, outChannels, channels, kernel, kernel);
        var b = Tensor.Uniform(rng, -1f, 1f, outChannels);
        var window = new Window(channels, height, width, kernel, kernel, stride, 0);
        Assert.True(DirectConvolution.Fits(window, outChannels));                       // the case under test takes the direct kernel
        int positions = window.OutH * window.OutW;
        var composed = w.Reshape(outChannels, -1).MatMul(x.Im2ColWide(kernel, kernel, stride)) + b.Reshape(outChannels, 1);   // [OC, N·L]
        var expected = composed.Reshape(outChannels, batch, positions).Transpose(0, 1).ToArray();
        Assert.Equal(expected, x.Conv2d(w, b, stride).ToArray());
    }

    [Fact]
    public void ReluGradientWithoutAGraphEqualsTheDifferentiableOneBitForBit()
    {
        // 29 values: a 16-wide block, an 8-wide block and a scalar tail; zeros, NaN and negative upstream gradients (signed zero products).
        var x = Tensor.FromArray([1f, -1f, 0f, -0f, float.NaN, 2f, -3f, 0.5f, 4f, -4f, 0f, 1f, -2f, 3f, float.PositiveInfinity, -1f, 0.25f, -0.25f, 7f, 0f, -7f,
            3f, -0f, float.NaN, 1f, -5f, 0f, 6f, -0.5f], 29).AsParameter();
        var v = Tensor.FromArray([-1f, 2f, -3f, 4f, 5f, -6f, 7f, -8f, 9f, -1f, -2f, 3f, -4f, 5f, -6f, 7f, -8f, 9f, -1f, -2f, float.NaN,
            2f, -2f, 3f, -3f, 4f, -4f, 5f, -5f], 29);
        Tensor Loss() => (x.Relu() * v).Sum();
        var plain = Tensor.Gradients(Loss(), [x])[0].ToArray();
        var differentiable = Tensor.Gradients(Loss(), [x], createGraph: true)[0].ToArray();
        Assert.Equal(differentiable.Select(BitConverter.SingleToInt32Bits), plain.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(-1f, plain[0]);
        Assert.Equal(0f, plain[1]);
    }

    [Theory]
    [InlineData(257, 64)]     // a bias gradient: four 8-wide accumulators per pass
    [InlineData(31, 45)]      // a block of 32, an 8-wide block and a scalar tail
    [InlineData(3, 7)]
    public void SumOverLeadingAxisAddsSlicesInOrderFromZero(int n, int inner)
    {
        // Sum(0) keeps a block of the row in registers across the slices; the bits must be those of
        // adding each slice into a zeroed row in turn.
        var rng = new Rng(13);
        var values = new float[n * inner];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.Uniform(-1, 1) * Math.Pow(10, rng.Integers(-3, 3)));
        var expected = new float[inner];
        for (int k = 0; k < n; k++)
            System.Numerics.Tensors.TensorPrimitives.Add(expected, values.AsSpan(k * inner, inner), expected);
        var sums = Tensor.FromArray(values, n, inner).Sum(0).ToArray();
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), sums.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void BroadcastingFollowsNumpyRulesAndRejectsMismatches()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3, 1);
        var b = Tensor.FromArray([10f, 20f]);
        Assert.Equal([11f, 21f, 12f, 22f, 13f, 23f], (a + b).ToArray());
        Assert.Equal([3, 2], (a * b).Shape.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4) + Tensor.Zeros(3));
        Assert.Contains("[3, 4] and [3]", e.Message);
    }

    [Fact]
    public void NoGradScopeRecordsNoGraph()
    {
        var w = Tensor.Ones(4, 3).AsParameter();
        var x = Tensor.Ones(1, 4);
        Tensor y;
        using (Tensor.NoGrad()) y = x.MatMul(w).Tanh().Sum();
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        var z = x.MatMul(w).Tanh().Sum();
        Assert.True(z.RequiresGrad);
        Assert.False(z.IsLeaf);
    }

    [Fact]
    public void BackwardAccumulatesIntoLeavesAndExplainsMisuse()
    {
        var x = Tensor.FromArray([1f, 2f]).AsParameter();
        (x * x).Sum().Backward();
        (x * 3f).Sum().Backward();
        Assert.Equal([5f, 7f], x.Grad!.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("scalar", e.Message);
        var shared = x * 2f;                        // one tensor used twice: both paths add up
        (shared * shared).Sum().Backward();
        Assert.Equal([5f + 8f, 7f + 16f], x.Grad!.ToArray());
    }

    [Fact]
    public void LeavesReachedByTheSameGradientGetTheirOwnCopies()
    {
        var a = Tensor.Zeros(3).AsParameter();
        var b = Tensor.Zeros(3).AsParameter();
        (a + b).Sum().Backward();
        a.Grad!.AsSpan()[0] = 42f;                  // an in-place edit of one gradient must not leak into the other
        Assert.Equal(1f, b.Grad![0]);
    }

    private static float[] Transposed(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }
}
