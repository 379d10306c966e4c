using Apprentice.Tensors.Kernels;

namespace Apprentice.Tensors;

// Matrix products. One primitive, Gemm with transpose flags, serves forward and backward, so the
// backward of a product is again a product (twice differentiable) and needs no transposed copies.
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product. [M, K]·[K, N] → [M, N]; [..., M, K]·[K, N] → [..., M, N] (leading axes
    /// flattened); [B, M, K]·[B, K, N] → [B, M, N] (batched).
    /// </summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other, transposeA: false, transposeB: false);

    /// <summary>op(a)·op(b), where op transposes the last two axes when its flag is set.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA, bool transposeB)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"MatMul needs matrices (rank ≥ 2); got {a.ShapeText} and {b.ShapeText}. Use Unsqueeze for vectors.");
        if (b.Rank == 2 && a.Rank > 2 && !transposeA)
        {
            // [..., M, K]·[K, N]: one big product over the flattened leading axes.
            var lead = a._shape[..^1];
            var flat = MatMul(a.Reshape(-1, a._shape[^1]), b, false, transposeB);
            return flat.Reshape([.. lead, flat._shape[1]]);
        }
        if (a.Rank == 2 && b.Rank == 2) return Gemm2D(a, b, transposeA, transposeB);
        if (a.Rank == 3 && b.Rank == 3 && a._shape[0] == b._shape[0]) return Batched(a, b, transposeA, transposeB);
        throw new ArgumentException($"MatMul: unsupported shapes {a.ShapeText} and {b.ShapeText} (supported: 2-D·2-D, N-D·2-D, 3-D·3-D with equal batch).");
    }

    /// <summary>
    /// x·Wᵀ + b for x [M, K], W [N, K], b [N]: <see cref="Nn.Linear"/>'s forward as one op. The product
    /// adds the bias to each row itself (tile by tile while the tile is in cache, where it has a
    /// kernel for that), with the add of the broadcast <c>+</c>, so the values are those of
    /// <c>MatMul(x, W, false, true) + b</c> bit for bit, without the second [M, N] buffer, graph node
    /// or pass; the backward gives b the rows' gradient, which the sweep sums over the rows as it
    /// would for the broadcast.
    /// </summary>
    internal static Tensor Affine(Tensor x, Tensor weight, Tensor bias)
    {
        var (m, k, _, n) = Dims(x, weight, false, true);
        if (bias.Rank != 1 || bias._shape[0] != n)
            throw new ArgumentException($"Affine: bias {bias.ShapeText} does not match {n} outputs.");
        var y = Output([m, n], zeroed: false);
        Gemm.Multiply(x.Span, weight.Span, y.AsSpan(), m, n, k, false, true, bias: bias.Span);
        Record(y, "affine", x, weight, bias, static (n, dy, dx) =>
        {
            ProductGradients(n.Inputs[0], n.Inputs[1], dy, false, true, dx);
            dx[2] = dy;
        });
        return y;
    }

    private static (int M, int K, int K2, int N) Dims(Tensor a, Tensor b, bool ta, bool tb)
    {
        int r = a.Rank;
        int m = ta ? a._shape[r - 1] : a._shape[r - 2], k = ta ? a._shape[r - 2] : a._shape[r - 1];
        int k2 = tb ? b._shape[r - 1] : b._shape[r - 2], n = tb ? b._shape[r - 2] : b._shape[r - 1];
        if (k != k2)
            throw new ArgumentException($"MatMul: inner dimensions differ: {a.ShapeText}{(ta ? "ᵀ" : "")} · {b.ShapeText}{(tb ? "ᵀ" : "")} ({k} vs {k2}).");
        return (m, k, k2, n);
    }

    private static Tensor Gemm2D(Tensor a, Tensor b, bool ta, bool tb)
    {
        var (m, k, _, n) = Dims(a, b, ta, tb);
        var c = Output([m, n], zeroed: false);
        Gemm.Multiply(a.Span, b.Span, c.AsSpan(), m, n, k, ta, tb);
        if (Record(c, "matmul", a, b, static (n, dy, dx) => ProductGradients(n.Inputs[0], n.Inputs[1], dy, n.TransposeA, n.TransposeB, dx)) is { } node)
            (node.TransposeA, node.TransposeB) = (ta, tb);
        return c;
    }

    private static Tensor Batched(Tensor a, Tensor b, bool ta, bool tb)
    {
        var (m, k, _, n) = Dims(a, b, ta, tb);
        int batch = a._shape[0];
        var c = Output([batch, m, n], zeroed: false);
        var sa = a.Span;
        var sb = b.Span;
        var sc = c.AsSpan();
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(sa.Slice(i * m * k, m * k), sb.Slice(i * k * n, k * n), sc.Slice(i * m * n, m * n), m, n, k, ta, tb);
        if (Record(c, "bmm", a, b, static (n, dy, dx) => ProductGradients(n.Inputs[0], n.Inputs[1], dy, n.TransposeA, n.TransposeB, dx)) is { } node)
            (node.TransposeA, node.TransposeB) = (ta, tb);
        return c;
    }

    // For C = op(A)·op(B): the four transpose cases of dA and dB, each again one product. A gradient
    // nobody needs (the data going into a first layer) is not computed: it would be a full product.
    private static void ProductGradients(Tensor a, Tensor b, Tensor dy, bool ta, bool tb, Span<Tensor?> dx)
    {
        if (a.RequiresGrad)
            dx[0] = (ta, tb) switch
            {
                (false, false) => MatMul(dy, b, false, true),             // dA = dC·Bᵀ
                (false, true) => MatMul(dy, b, false, false),             // C = A·Bᵀ: dA = dC·B
                (true, false) => MatMul(b, dy, false, true),              // C = Aᵀ·B: dA = B·dCᵀ
                (true, true) => MatMul(b, dy, true, true),                // C = Aᵀ·Bᵀ: dA = Bᵀ·dCᵀ
            };
        if (b.RequiresGrad)
            dx[1] = (ta, tb) switch
            {
                (false, false) => MatMul(a, dy, true, false),             // dB = Aᵀ·dC
                (false, true) => MatMul(dy, a, true, false),              // dB = dCᵀ·A
                (true, false) => MatMul(a, dy, false, false),             // dB = A·dC
                (true, true) => MatMul(dy, a, true, true),                // dB = dCᵀ·Aᵀ
            };
    }
}
