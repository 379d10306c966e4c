using System.Numerics.Tensors;

namespace Apprentice.Tensors.Kernels;

/// <summary>An element-wise unary kernel over spans (struct-constrained, so each use is one specialised loop).</summary>
internal interface IUnaryKernel
{
    static abstract void Apply(ReadOnlySpan<float> x, Span<float> destination);
}

internal readonly struct NegateKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Negate(x, d); }
internal readonly struct ExpKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Exp(x, d); }
internal readonly struct LogKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Log(x, d); }
internal readonly struct SqrtKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sqrt(x, d); }
internal readonly struct AbsKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Abs(x, d); }
internal readonly struct TanhKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Tanh(x, d); }
internal readonly struct SigmoidKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sigmoid(x, d); }
internal readonly struct ReluKernel : IUnaryKernel { public static void Apply(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Max(x, 0f, d); }

/// <summary>sign(x) ∈ {−1, 0, 1}.</summary>
internal readonly struct SignKernel : IUnaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, Span<float> d)
    {
        for (int i = 0; i < x.Length; i++) d[i] = x[i] > 0 ? 1f : x[i] < 0 ? -1f : 0f;
    }
}

/// <summary>log(1 + eˣ) without overflow: max(x, 0) + log(1 + e^−|x|).</summary>
internal readonly struct SoftplusKernel : IUnaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, Span<float> d)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            d[i] = MathF.Max(v, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(v)));
        }
    }
}

/// <summary>The error function, in double precision then rounded (W. J. Cody's rational approximations).</summary>
internal readonly struct ErfKernel : IUnaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, Span<float> d)
    {
        for (int i = 0; i < x.Length; i++) d[i] = (float)Erf(x[i]);
    }

    // Abramowitz & Stegun 7.1.26 is too coarse for a gradient check (1.5e-7 absolute error is fine,
    // but its derivative is off); this uses the erfc continued-fraction-free form from Numerical
    // Recipes (erfc via Chebyshev fit, relative error < 1.2e-7 in double), ample for float32.
    internal static double Erf(double x)
    {
        double z = Math.Abs(x);
        double t = 2.0 / (2.0 + z);
        double ty = 4.0 * t - 2.0;
        ReadOnlySpan<double> cof =
        [
            -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4,
            3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.303655835580e-6,
            1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10,
            9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15,
            -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
        ];
        double dd = 0.0, d2 = 0.0;
        for (int j = cof.Length - 1; j > 0; j--)
        {
            double tmp = dd;
            dd = ty * dd - d2 + cof[j];
            d2 = tmp;
        }
        double erfc = t * Math.Exp(-z * z + 0.5 * (cof[0] + ty * dd) - d2);
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}

internal static class Elementwise
{
    public static Tensor Map<TKernel>(Tensor x) where TKernel : struct, IUnaryKernel
    {
        var y = Tensor.Output(x.ShapeArray, zeroed: false);
        TKernel.Apply(x.Span, y.AsSpan());
        return y;
    }
}
