using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apprentice.Tensors.Kernels;

/// <summary>An element-wise binary kernel over spans, in the three forms broadcasting needs.</summary>
internal interface IBinaryKernel
{
    static abstract void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);
    static abstract void Apply(ReadOnlySpan<float> x, float y, Span<float> destination);
    static abstract void Apply(float x, ReadOnlySpan<float> y, Span<float> destination);
}

internal readonly struct AddKernel : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);

    /// <summary>
    /// Adds <paramref name="bias"/> to every row of <paramref name="rows"/> in place (a layer's bias over a
    /// batch): the sums of <see cref="Apply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> row by
    /// row, in one loop, because a call per row of a few outputs cost more than its additions.
    /// </summary>
    public static void ToRows(Span<float> rows, ReadOnlySpan<float> bias)
    {
        int n = bias.Length, count = rows.Length / n;
        if (n == 1)
        {
            TensorPrimitives.Add(rows, bias[0], rows);                       // one output: the whole batch in one pass
            return;
        }
        ref float r = ref MemoryMarshal.GetReference(rows);
        ref float b = ref MemoryMarshal.GetReference(bias);
        int width = Vector256<float>.Count;
        for (int i = 0; i < count; i++)
        {
            ref float row = ref Unsafe.Add(ref r, i * n);
            int j = 0;
            for (; j + width <= n; j += width)
                (Vector256.LoadUnsafe(ref row, (nuint)j) + Vector256.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref row, (nuint)j);
            for (; j < n; j++) Unsafe.Add(ref row, j) += Unsafe.Add(ref b, j);
        }
    }
}

internal readonly struct SubtractKernel : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyKernel : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideKernel : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
}

/// <summary>Runs a binary kernel over two broadcast operands, one contiguous run of the last axis at a time.</summary>
internal static class Broadcasting
{
    public static Tensor Binary<TKernel>(Tensor a, Tensor b) where TKernel : struct, IBinaryKernel
    {
        if (ShapeUtil.SameShape(a.Shape, b.Shape))
        {
            var same = Tensor.Output(a.ShapeArray, zeroed: false);
            TKernel.Apply(a.Span, b.Span, same.AsSpan());
            return same;
        }
        var shape = ShapeUtil.Broadcast(a.Shape, b.Shape, stackalloc int[Math.Max(a.Rank, b.Rank)]);
        var result = Tensor.Output(shape, zeroed: false);
        if (b.Size == 1 && a.Size == result.Size) { TKernel.Apply(a.Span, b.Span[0], result.AsSpan()); return result; }
        if (a.Size == 1 && b.Size == result.Size) { TKernel.Apply(a.Span[0], b.Span, result.AsSpan()); return result; }
        Run<TKernel>(a, b, shape, result.AsSpan());
        return result;
    }

    private static void Run<TKernel>(Tensor a, Tensor b, ReadOnlySpan<int> shape, Span<float> destination) where TKernel : struct, IBinaryKernel
    {
        int rank = shape.Length;
        Span<int> sa = stackalloc int[rank], sb = stackalloc int[rank];
        ShapeUtil.BroadcastStrides(a.Shape, shape, sa);
        ShapeUtil.BroadcastStrides(b.Shape, shape, sb);
        int inner = shape[rank - 1];
        int ia = sa[rank - 1], ib = sb[rank - 1];
        int rows = inner == 0 ? 0 : destination.Length / inner;
        Span<int> index = stackalloc int[rank];
        ReadOnlySpan<float> x = a.Span, y = b.Span;
        int oa = 0, ob = 0;
        for (int r = 0; r < rows; r++)
        {
            var d = destination.Slice(r * inner, inner);
            if (ia != 0 && ib != 0) TKernel.Apply(x.Slice(oa, inner), y.Slice(ob, inner), d);
            else if (ia != 0) TKernel.Apply(x.Slice(oa, inner), y[ob], d);
            else if (ib != 0) TKernel.Apply(x[oa], y.Slice(ob, inner), d);
            else { TKernel.Apply(x.Slice(oa, 1), y.Slice(ob, 1), d[..1]); d.Fill(d[0]); }   // both broadcast along the row
            // odometer over the outer axes
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                oa += sa[axis];
                ob += sb[axis];
                if (++index[axis] < shape[axis]) break;
                oa -= sa[axis] * shape[axis];
                ob -= sb[axis] * shape[axis];
                index[axis] = 0;
            }
        }
    }
}
