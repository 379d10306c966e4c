using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apprentice.Tensors;

// Comparisons and selection. Comparisons return constant 0/1 masks (no gradient flows through a
// comparison); Where is the primitive that routes gradients by a mask.
public sealed partial class Tensor
{
    /// <summary>1 where x &gt; value, else 0 (a constant).</summary>
    public Tensor Gt(float value) => Compare<GreaterThan>(this, value);
    /// <summary>1 where x ≥ value, else 0 (a constant).</summary>
    public Tensor Ge(float value) => Compare<GreaterThanOrEqual>(this, value);
    /// <summary>1 where x &lt; value, else 0 (a constant).</summary>
    public Tensor Lt(float value) => Compare<LessThan>(this, value);
    /// <summary>1 where x ≤ value, else 0 (a constant).</summary>
    public Tensor Le(float value) => Compare<LessThanOrEqual>(this, value);

    /// <summary>1 where a &gt; b (broadcasting), else 0 (a constant).</summary>
    public static Tensor Gt(Tensor a, Tensor b)
    {
        using var _ = NoGrad();
        return (a - b).Gt(0f);
    }

    /// <summary>
    /// Picks <paramref name="whenTrue"/> where <paramref name="mask"/> is non-zero and
    /// <paramref name="whenFalse"/> elsewhere; all three broadcast together. The mask takes no gradient.
    /// </summary>
    public static Tensor Where(Tensor mask, Tensor whenTrue, Tensor whenFalse)
    {
        int rank = Math.Max(mask.Rank, Math.Max(whenTrue.Rank, whenFalse.Rank));
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(mask.Shape, whenTrue.Shape, stackalloc int[Math.Max(mask.Rank, whenTrue.Rank)]), whenFalse.Shape, stackalloc int[rank]);
        Tensor m, t, f;
        using (NoGrad())
        {
            m = mask.BroadcastTo(shape);
            t = whenTrue.BroadcastTo(shape);
            f = whenFalse.BroadcastTo(shape);
        }
        var y = Output(shape);
        var ms = m.Span;
        var ts = t.Span;
        var fs = f.Span;
        var d = y.AsSpan();
        for (int i = 0; i < d.Length; i++) d[i] = ms[i] != 0f ? ts[i] : fs[i];
        Record(y, "where", whenTrue, whenFalse, static (n, dy, dx) =>
        {
            var (m, zero) = (n.Saved!, Output(dy._shape));
            (dx[0], dx[1]) = (Where(m, dy, zero), Where(m, zero, dy));
        })?.Saved = m;
        return y;
    }

    /// <summary>Element-wise maximum of a and b (broadcasting); ties send the gradient to a.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Where(Gt(b, a), b, a);

    /// <summary>Element-wise minimum of a and b (broadcasting); ties send the gradient to a.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Where(Gt(a, b), b, a);

    // The masks of ReLU's backward and of clamps: one vector compare and select per block, no
    // per-element call (a delegate per element made ReLU's backward cost more than its GEMM).
    private static Tensor Compare<TTest>(Tensor x, float value) where TTest : struct, IComparisonTest
    {
        var y = Output(x._shape, zeroed: false);
        var s = x.Span;
        var d = y.AsSpan();
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(value);
            var one = Vector256<float>.One;
            ref float sx = ref MemoryMarshal.GetReference(s);
            ref float dx = ref MemoryMarshal.GetReference(d);
            for (; i + Vector256<float>.Count <= s.Length; i += Vector256<float>.Count)
                (TTest.Test(Vector256.LoadUnsafe(ref sx, (nuint)i), v) & one).StoreUnsafe(ref dx, (nuint)i);   // all-ones lanes keep 1f
        }
        for (; i < s.Length; i++) d[i] = TTest.Test(s[i], value) ? 1f : 0f;
        return y;
    }

    private interface IComparisonTest
    {
        static abstract bool Test(float x, float value);
        static abstract Vector256<float> Test(Vector256<float> x, Vector256<float> value);
    }

    private readonly struct GreaterThan : IComparisonTest
    {
        public static bool Test(float x, float v) => x > v;
        public static Vector256<float> Test(Vector256<float> x, Vector256<float> v) => Vector256.GreaterThan(x, v);
    }

    private readonly struct GreaterThanOrEqual : IComparisonTest
    {
        public static bool Test(float x, float v) => x >= v;
        public static Vector256<float> Test(Vector256<float> x, Vector256<float> v) => Vector256.GreaterThanOrEqual(x, v);
    }

    private readonly struct LessThan : IComparisonTest
    {
        public static bool Test(float x, float v) => x < v;
        public static Vector256<float> Test(Vector256<float> x, Vector256<float> v) => Vector256.LessThan(x, v);
    }

    private readonly struct LessThanOrEqual : IComparisonTest
    {
        public static bool Test(float x, float v) => x <= v;
        public static Vector256<float> Test(Vector256<float> x, Vector256<float> v) => Vector256.LessThanOrEqual(x, v);
    }
}
