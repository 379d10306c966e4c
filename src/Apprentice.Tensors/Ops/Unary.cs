using System.Runtime.InteropServices;
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
        Record(y, "exp", this, static (n, dy, dx) => dx[0] = dy * n.Output);          // d(eˣ) = eˣ dx: reuse the output
        return y;
    }

    /// <summary>Natural logarithm.</summary>
    public Tensor Log()
    {
        var y = Elementwise.Map<LogKernel>(this);
        Record(y, "log", this, static (n, dy, dx) => dx[0] = dy / n.Inputs[0]);
        return y;
    }

    /// <summary>√x.</summary>
    public Tensor Sqrt()
    {
        var y = Elementwise.Map<SqrtKernel>(this);
        Record(y, "sqrt", this, static (n, dy, dx) => dx[0] = dy * 0.5f / n.Output);
        return y;
    }

    /// <summary>|x|; the gradient at 0 is 0.</summary>
    public Tensor Abs()
    {
        var y = Elementwise.Map<AbsKernel>(this);
        Record(y, "abs", this, static (n, dy, dx) => dx[0] = dy * Elementwise.Map<SignKernel>(n.Inputs[0]));
        return y;
    }

    /// <summary>tanh(x).</summary>
    public Tensor Tanh()
    {
        var y = Elementwise.Map<TanhKernel>(this);
        Record(y, "tanh", this, static (n, dy, dx) => dx[0] = dy * (1f - n.Output * n.Output));
        return y;
    }

    /// <summary>1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid()
    {
        var y = Elementwise.Map<SigmoidKernel>(this);
        Record(y, "sigmoid", this, static (n, dy, dx) => dx[0] = dy * n.Output * (1f - n.Output));
        return y;
    }

    /// <summary>max(x, 0); the gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Relu()
    {
        var y = Elementwise.Map<ReluKernel>(this);
        Record(y, "relu", this, static (n, dy, dx) => dx[0] = GradMode.IsEnabled ? dy * n.Inputs[0].Gt(0f) : n.Inputs[0].ReluGradient(dy));
        return y;
    }

    // dy · [x > 0] in one pass, without the mask tensor: the same products (by 1 or 0) as the
    // differentiable rule, so the same bits, NaN and signed zeros included.
    private Tensor ReluGradient(Tensor dy)
    {
        var dx = Output(_shape, zeroed: false);
        var x = Span;
        var g = dy.Span;
        var d = dx.AsSpan();
        ref float xs = ref MemoryMarshal.GetReference(x), gs = ref MemoryMarshal.GetReference(g), ds = ref MemoryMarshal.GetReference(d);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512.Create(1f);
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var positive = Vector512.GreaterThan(Vector512.LoadUnsafe(ref xs, (nuint)i), Vector512<float>.Zero) & one;
                (Vector512.LoadUnsafe(ref gs, (nuint)i) * positive).StoreUnsafe(ref ds, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1f);
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var positive = Vector256.GreaterThan(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256<float>.Zero) & one;
                (Vector256.LoadUnsafe(ref gs, (nuint)i) * positive).StoreUnsafe(ref ds, (nuint)i);
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
        var y = Broadcasting.Binary<MultiplyKernel>(this, factor);
        Record(y, "leaky_relu", this, static (n, dy, dx) => dx[0] = dy * n.Saved!)?.Saved = factor;
        return y;
    }

    /// <summary>log(1 + eˣ), computed without overflow.</summary>
    public Tensor Softplus()
    {
        var y = Elementwise.Map<SoftplusKernel>(this);
        Record(y, "softplus", this, static (n, dy, dx) => dx[0] = dy * n.Inputs[0].Sigmoid());
        return y;
    }

    /// <summary>The error function.</summary>
    public Tensor Erf()
    {
        var y = Elementwise.Map<ErfKernel>(this);
        Record(y, "erf", this, static (n, dy, dx) =>
        {
            var x = n.Inputs[0];
            dx[0] = dy * (2f / MathF.Sqrt(MathF.PI)) * (-(x * x)).Exp();
        });
        return y;
    }

    /// <summary>xᵖ for a constant exponent.</summary>
    public Tensor Pow(float exponent)
    {
        var y = Output(_shape);
        var x = Span;
        var d = y.AsSpan();
        if (exponent == 2f) for (int i = 0; i < x.Length; i++) d[i] = x[i] * x[i];
        else for (int i = 0; i < x.Length; i++) d[i] = MathF.Pow(x[i], exponent);
        Record(y, "pow", this, static (n, dy, dx) =>
        {
            var (x, p) = (n.Inputs[0], n.Value);
            dx[0] = p == 2f ? dy * x * 2f : dy * p * x.Pow(p - 1f);
        })?.Value = exponent;
        return y;
    }

    /// <summary>x clipped to [min, max]; the gradient passes where min ≤ x ≤ max (as in PyTorch).</summary>
    public Tensor Clamp(float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp needs min ≤ max; got min = {min}, max = {max}.");
        var y = Output(_shape);
        var x = Span;
        var d = y.AsSpan();
        for (int i = 0; i < x.Length; i++) d[i] = Math.Clamp(x[i], min, max);
        if (Record(y, "clamp", this, static (n, dy, dx) => dx[0] = dy * (n.Inputs[0].Ge(n.Value) * n.Inputs[0].Le(n.Value2))) is { } node)
            (node.Value, node.Value2) = (min, max);
        return y;
    }

    // ---- derived: composed from the primitives above, no backward of their own ----------------

    /// <summary>x².</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>GELU, the exact form x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default).</summary>
    /// <remarks>InferencePlan's GELU step repeats these ops on spans, in this order; change both together.</remarks>
    public Tensor Gelu() => 0.5f * this * (1f + (this * (1f / MathF.Sqrt(2f))).Erf());
}
