using Apprentice.Tensors.Kernels;

namespace Apprentice.Tensors;

// Broadcasting binary arithmetic. Backward rules return gradients in the output's shape; the
// backward sweep sums them back to each input's shape.
public sealed partial class Tensor
{
    /// <summary>a + b, broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b)
    {
        var y = Broadcasting.Binary<AddKernel>(a, b);
        Record(y, "add", a, b, static (n, dy, dx) => { dx[0] = dy; dx[1] = dy; });
        return y;
    }

    /// <summary>a − b, broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b)
    {
        var y = Broadcasting.Binary<SubtractKernel>(a, b);
        Record(y, "sub", a, b, static (n, dy, dx) => { dx[0] = dy; dx[1] = -dy; });
        return y;
    }

    /// <summary>a · b element-wise, broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b)
    {
        var y = Broadcasting.Binary<MultiplyKernel>(a, b);
        Record(y, "mul", a, b, static (n, dy, dx) =>
        {
            var (a, b) = (n.Inputs[0], n.Inputs[1]);
            if (a.RequiresGrad) dx[0] = dy * b;                          // a constant factor (a scalar) takes no product
            if (b.RequiresGrad) dx[1] = dy * a;
        });
        return y;
    }

    /// <summary>a / b element-wise, broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b)
    {
        var y = Broadcasting.Binary<DivideKernel>(a, b);
        Record(y, "div", a, b, static (n, dy, dx) =>
        {
            var (a, b) = (n.Inputs[0], n.Inputs[1]);
            if (a.RequiresGrad) dx[0] = dy / b;
            if (b.RequiresGrad) dx[1] = -dy * a / (b * b);
        });
        return y;
    }

    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a)
    {
        var y = Elementwise.Map<NegateKernel>(a);
        Record(y, "neg", a, static (n, dy, dx) => dx[0] = -dy);
        return y;
    }

    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => a + Constant(s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => Constant(s) + a;
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => a - Constant(s);
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => Constant(s) - a;
    /// <summary>a · s.</summary>
    public static Tensor operator *(Tensor a, float s) => a * Constant(s);
    /// <summary>s · a.</summary>
    public static Tensor operator *(float s, Tensor a) => Constant(s) * a;
    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, float s) => a / Constant(s);
    /// <summary>s / a.</summary>
    public static Tensor operator /(float s, Tensor a) => Constant(s) / a;

    // The scalar operand of a + s and its kin: an op result (from the running arena step, if
    // any), not a Scalar() the caller owns, so a step that mixes tensors and floats allocates nothing.
    private static Tensor Constant(float value)
    {
        var c = Output([], zeroed: false);
        c._data[c._offset] = value;
        return c;
    }
}
