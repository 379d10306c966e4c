namespace Apprentice.Tensors;

// Comparisons and selection. Comparisons return constant 0/1 masks (no gradient flows through a
// comparison); Where is the primitive that routes gradients by a mask.
public sealed partial class Tensor
{
    /// <summary>1 where x &gt; value, else 0 (a constant).</summary>
    public Tensor Gt(float value) => Compare(this, value, static (x, v) => x > v);
    /// <summary>1 where x ≥ value, else 0 (a constant).</summary>
    public Tensor Ge(float value) => Compare(this, value, static (x, v) => x >= v);
    /// <summary>1 where x &lt; value, else 0 (a constant).</summary>
    public Tensor Lt(float value) => Compare(this, value, static (x, v) => x < v);
    /// <summary>1 where x ≤ value, else 0 (a constant).</summary>
    public Tensor Le(float value) => Compare(this, value, static (x, v) => x <= v);

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
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(mask.Shape, whenTrue.Shape), whenFalse.Shape);
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
        return Record(y, "where", whenTrue, whenFalse, dy =>
        {
            var zero = Output(dy._shape);
            return [Where(m, dy, zero), Where(m, zero, dy)];
        });
    }

    /// <summary>Element-wise maximum of a and b (broadcasting); ties send the gradient to a.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Where(Gt(b, a), b, a);

    /// <summary>Element-wise minimum of a and b (broadcasting); ties send the gradient to a.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Where(Gt(a, b), b, a);

    private static Tensor Compare(Tensor x, float value, Func<float, float, bool> test)
    {
        var y = Output(x._shape);
        var s = x.Span;
        var d = y.AsSpan();
        for (int i = 0; i < s.Length; i++) d[i] = test(s[i], value) ? 1f : 0f;
        return y;
    }
}
