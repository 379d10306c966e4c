using System.Runtime.Intrinsics;
using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Kernels;

namespace Apprentice.Tensors;

// Element-wise primitives, each with its backward rule beside it. Masks used in backward rules are
// constants (no graph): their derivative is zero almost everywhere.
public sealed partial class Tensor
{
    /// <summary>eˣ.</summary>
    public Tensor Exp()
    {
        var y = Elementwise.Map<ExpKernel>(this);
        return Record(y, "exp", this, dy => [dy * y]);                  // d(eˣ) = eˣ dx: reuse the output
    }

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Record(Elementwise.Map<LogKernel>(this), "log", this, dy => [dy / this]);

    /// <summary>√x.</summary>
    public Tensor Sqrt()
    {
        var y = Elementwise.Map<SqrtKernel>(this);
        return Record(y, "sqrt", this, dy => [dy * 0.5f / y]);
    }

    /// <summary>|x|; the gradient at 0 is 0.</summary>
    public Tensor Abs() => Record(Elementwise.Map<AbsKernel>(this), "abs", this, dy => [dy * Elementwise.Map<SignKernel>(this)]);

    /// <summary>tanh(x).</summary>
    public Tensor Tanh()
    {
        var y = Elementwise.Map<TanhKernel>(this);
        return Record(y, "tanh", this, dy => [dy * (1f - y * y)]);
    }

    /// <summary>1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid()
    {
        var y = Elementwise.Map<SigmoidKernel>(this);
        return Record(y, "sigmoid", this, dy => [dy * y * (1f - y)]);
    }

    /// <summary>max(x, 0); the gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Relu() => Record(Elementwise.Map<ReluKernel>(this), "relu", this, dy => [GradMode.IsEnabled ? dy * Gt(0f) : ReluGradient(dy)]);

    // dy · [x > 0] in one pass, without the mask tensor: the same products (by 1 or 0) as the
    // differentiable rule, so the same bits, NaN and signed zeros included.
    private Tensor ReluGradient(Tensor dy)
    {
        var dx = Output(_shape, zeroed: false);
        var x = Span;
        var g = dy.Span;
        var d = dx.AsSpan();
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1f);
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var positive = Vector256.GreaterThan(Vector256.Create(x.Slice(i, Vector256<float>.Count)), Vector256<float>.Zero) & one;
                (Vector256.Create(g.Slice(i, Vector256<float>.Count)) * positive).CopyTo(d.Slice(i, Vector256<float>.Count));
            }
        }
        for (; i < x.Length; i++) d[i] = g[i] * (x[i] > 0f ? 1f : 0f);
        return dx;
    }

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public Tensor LeakyRelu(float slope = 0.01f)
    {
        var positive = Gt(0f);
        var factor = positive + (1f - positive) * slope;                  // 1 where x > 0, slope elsewhere (a constant)
        return Record(Broadcasting.Binary<MultiplyKernel>(this, factor), "leaky_relu", this, dy => [dy * factor]);
    }

    /// <summary>log(1 + eˣ), computed without overflow.</summary>
    public Tensor Softplus() => Record(Elementwise.Map<SoftplusKernel>(this), "softplus", this, dy => [dy * Sigmoid()]);

    /// <summary>The error function.</summary>
    public Tensor Erf() =>
        Record(Elementwise.Map<ErfKernel>(this), "erf", this, dy => [dy * (2f / MathF.Sqrt(MathF.PI)) * (-(this * this)).Exp()]);

    /// <summary>xᵖ for a constant exponent.</summary>
    public Tensor Pow(float exponent)
    {
        var y = Output(_shape);
        var x = Span;
        var d = y.AsSpan();
        if (exponent == 2f) for (int i = 0; i < x.Length; i++) d[i] = x[i] * x[i];
        else for (int i = 0; i < x.Length; i++) d[i] = MathF.Pow(x[i], exponent);
        return Record(y, "pow", this, dy => [exponent == 2f ? dy * this * 2f : dy * exponent * Pow(exponent - 1f)]);
    }

    /// <summary>x clipped to [min, max]; the gradient passes where min ≤ x ≤ max (as in PyTorch).</summary>
    public Tensor Clamp(float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp needs min ≤ max; got min = {min}, max = {max}.");
        var y = Output(_shape);
        var x = Span;
        var d = y.AsSpan();
        for (int i = 0; i < x.Length; i++) d[i] = Math.Clamp(x[i], min, max);
        return Record(y, "clamp", this, dy => [dy * (Ge(min) * Le(max))]);
    }

    // ---- derived: composed from the primitives above, no backward of their own ----------------

    /// <summary>x².</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>GELU, the exact form x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default).</summary>
    /// <remarks>InferencePlan's GELU step repeats these ops on spans, in this order; change both together.</remarks>
    public Tensor Gelu() => 0.5f * this * (1f + (this * (1f / MathF.Sqrt(2f))).Erf());
}
