using Apprentice.Tensors.Kernels;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Kernels;

public class GemmTests
{
    // Shapes around the blocked path's tiles and blocks: rows short of and past the micro-tile and a
    // row block, columns past a strip and a column block (partial last strip, narrow strips), depth
    // past one and two panels; (8, 257, 300) and (24, 64, 513) take the direct-B path (few rows).
    [Theory]
    [InlineData(6, 32, 256)]
    [InlineData(7, 33, 257)]
    [InlineData(13, 100, 600)]
    [InlineData(97, 520, 300)]
    [InlineData(200, 1100, 70)]
    [InlineData(190, 47, 513)]
    [InlineData(25, 600, 260)]
    [InlineData(8, 257, 300)]
    [InlineData(24, 64, 513)]
    [InlineData(30, 191, 300)]                                              // a last strip one column short of 64
    [InlineData(256, 64, 64)]                                               // one strip: A (and a plain B) read in place
    [InlineData(253, 64, 300)]                                              // … with a short last row tile and two panels
    [InlineData(100, 50, 70)]                                               // … narrower than a strip
    [InlineData(64, 64, 256)]
    [InlineData(7, 4150, 260)]                                              // two column blocks of B, the second with a short strip
    public void BlockedProductSumsEachElementInPanelRunsOfFusedMultiplyAdds(int m, int n, int k)
    {
        // The contract DirectConvolution reproduces bit for bit: each element is a sum of runs of
        // PanelDepth terms, each run fused multiply-adds in order from zero, the runs added in order.
        Assert.True(Gemm.IsBlocked(m, n, k));
        var rng = new Rng(m * 7919 + n * 31 + k);
        var a = Tensor.Uniform(rng, -1f, 1f, m, k).ToArray();
        var b = Tensor.Uniform(rng, -1f, 1f, k, n).ToArray();
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float total = 0f;
                for (int p0 = 0; p0 < k; p0 += Gemm.PanelDepth)
                {
                    float run = 0f;
                    for (int p = p0; p < Math.Min(k, p0 + Gemm.PanelDepth); p++) run = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], run);
                    total = p0 == 0 ? run : total + run;
                }
                expected[i * n + j] = total;
            }
        var at = Transposed(a, m, k);
        var bt = Transposed(b, k, n);
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            foreach (int threads in new[] { 1, 2 })
            {
                var c = new float[m * n];
                Gemm.Multiply(ta ? at : a, tb ? bt : b, c, m, n, k, ta, tb, threads);
                for (int i = 0; i < c.Length; i++)
                    Assert.True(c[i] == expected[i], $"{m}×{n}×{k} ({ta}, {tb}) on {threads} thread(s), element {i}: {c[i]} vs {expected[i]}");
            }
    }

    [Theory]
    [InlineData(3, 7, 45, false, true)]         // direct: one row at a time
    [InlineData(64, 4, 256, true, false)]       // narrow: at most eight columns
    [InlineData(256, 64, 4, false, true)]       // shallow, B's block held in registers
    [InlineData(150, 70, 6, false, false)]      // shallow, terms loaded per row, and a tail of six columns
    [InlineData(256, 64, 64, false, true)]      // blocked, one strip (CartPole's hidden layer)
    [InlineData(97, 130, 300, true, true)]      // blocked: two panels (bias after the last only), edge tiles
    [InlineData(200, 1100, 70, false, false)]   // blocked, split over threads
    public void ABiasGivenToTheProductEqualsTheProductThenTheBiasPass(int m, int n, int k, bool transA, bool transB)
    {
        // Affine hands the bias to the product, which adds it tile by tile; the bits must be those
        // of the product followed by the broadcast add, on every path and thread count.
        var rng = new Rng(m * 13 + n * 7 + k);
        var a = Tensor.Uniform(rng, -1f, 1f, m * k).ToArray();
        var b = Tensor.Uniform(rng, -1f, 1f, k * n).ToArray();
        var bias = Tensor.Uniform(rng, -1f, 1f, n).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var expected = new float[m * n];
            Gemm.Multiply(a, b, expected, m, n, k, transA, transB, threads);
            AddKernel.ToRows(expected, bias);
            var c = new float[m * n];
            c.AsSpan().Fill(float.NaN);                                    // stale output must not leak in
            Gemm.Multiply(a, b, c, m, n, k, transA, transB, threads, bias);
            for (int i = 0; i < c.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(c[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"{m}×{n}×{k} on {threads} thread(s), element {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void ABiasOfTheWrongLengthIsRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[6], new float[6], new float[4], 2, 2, 3, false, false, 1, new float[3]));
        Assert.Contains("bias needs 2 values, got 3", error.Message);
    }

    [Fact]
    public void BlockedProductOverwritesWhateverTheOutputHeld()
    {
        // The first panel stores, later ones add: stale values in C must not leak in.
        const int m = 37, n = 70, k = 300;
        var rng = new Rng(5);
        var a = Tensor.Uniform(rng, -1f, 1f, m, k).ToArray();
        var b = Tensor.Uniform(rng, -1f, 1f, k, n).ToArray();
        var clean = new float[m * n];
        Gemm.Multiply(a, b, clean, m, n, k, false, false);
        var dirty = new float[m * n];
        Array.Fill(dirty, float.NaN);
        Gemm.Multiply(a, b, dirty, m, n, k, false, false);
        Assert.Equal(clean, dirty);
    }

    private static float[] Transposed(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }
}
