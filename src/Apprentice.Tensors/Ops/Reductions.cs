using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apprentice.Tensors;

// Reductions. Summation order depends only on the shape, never on alignment or threads.
public sealed partial class Tensor
{
    /// <summary>Sum of all elements, a scalar.</summary>
    public Tensor Sum()
    {
        var y = Output([], zeroed: false);
        y._data[y._offset] = TensorPrimitives.Sum(Span);
        Record(y, "sum", this, static (n, dy, dx) => dx[0] = dy.BroadcastTo(n.Inputs[0]._shape));
        return y;
    }

    /// <summary>Sum over one axis; <paramref name="keepDim"/> keeps it with extent 1.</summary>
    public Tensor Sum(int axis, bool keepDim = false)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        var (outer, n, inner) = Split(axis);
        var y = Output(ShapeWith(axis, 1, stackalloc int[Rank]));
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
        {
            var row = d.Slice(o * inner, inner);
            if (inner == 1)
            {
                row[0] = TensorPrimitives.Sum(x.Slice(o * n, n));
                continue;
            }
            SumSlices(x.Slice(o * n * inner, n * inner), n, inner, row);
        }
        Record(y, "sum_axis", this, static (n, dy, dx) => dx[0] = dy.BroadcastTo(n.Inputs[0]._shape));
        return keepDim ? y : y.Reshape(DroppedShape(axis, stackalloc int[Rank - 1]));
    }

    /// <summary>
    /// row[j] = Σₖ x[k·inner + j] over the <paramref name="n"/> slices, added in k order from zero: the
    /// sums of adding the slices one by one into a zeroed row (a bias gradient's column sums), with
    /// a block of the row held in registers across all slices instead of loaded and stored per slice.
    /// </summary>
    private static void SumSlices(ReadOnlySpan<float> x, int n, int inner, Span<float> row)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(row);
        int width = Vector256<float>.Count, j = 0;
        for (; j + 4 * width <= inner; j += 4 * width)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int k = 0; k < n; k++)
            {
                nuint at = (nuint)(k * inner + j);
                s0 += Vector256.LoadUnsafe(ref src, at);
                s1 += Vector256.LoadUnsafe(ref src, at + (nuint)width);
                s2 += Vector256.LoadUnsafe(ref src, at + (nuint)(2 * width));
                s3 += Vector256.LoadUnsafe(ref src, at + (nuint)(3 * width));
            }
            s0.StoreUnsafe(ref dst, (nuint)j);
            s1.StoreUnsafe(ref dst, (nuint)(j + width));
            s2.StoreUnsafe(ref dst, (nuint)(j + 2 * width));
            s3.StoreUnsafe(ref dst, (nuint)(j + 3 * width));
        }
        for (; j + width <= inner; j += width)
        {
            var s0 = Vector256<float>.Zero;
            for (int k = 0; k < n; k++) s0 += Vector256.LoadUnsafe(ref src, (nuint)(k * inner + j));
            s0.StoreUnsafe(ref dst, (nuint)j);
        }
        for (; j < inner; j++)
        {
            float sum = 0f;
            for (int k = 0; k < n; k++) sum += x[k * inner + j];
            row[j] = sum;
        }
    }

    /// <summary>Maximum of all elements, a scalar; the gradient goes to the first maximal element.</summary>
    public Tensor Max() => Reshape(Size).Max(0);

    /// <summary>Maximum over one axis; the gradient goes to the first maximal element of each slice (as PyTorch's max(dim)).</summary>
    public Tensor Max(int axis, bool keepDim = false)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        if (_shape[axis] == 0) throw new ArgumentException($"Max over axis {axis} of an empty extent (shape {ShapeText}).");
        var (outer, n, inner) = Split(axis);
        var y = Output(ShapeWith(axis, 1, stackalloc int[Rank]));
        var mask = Output(_shape);                                           // one-hot of the arg-max: a constant
        var x = Span;
        var d = y.AsSpan();
        var m = mask.AsSpan();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = (o * n) * inner + i;
                for (int k = 1; k < n; k++)
                {
                    int at = (o * n + k) * inner + i;
                    if (x[at] > x[best] || float.IsNaN(x[at]) && !float.IsNaN(x[best])) best = at;   // NaN propagates, as in PyTorch
                }
                d[o * inner + i] = x[best];
                m[best] = 1f;
            }
        Record(y, "max_axis", this, static (n, dy, dx) => dx[0] = dy.BroadcastTo(n.Inputs[0]._shape) * n.Saved!)?.Saved = mask;
        return keepDim ? y : y.Reshape(DroppedShape(axis, stackalloc int[Rank - 1]));
    }

    /// <summary>Index of the largest element along the last axis of a 2-D tensor, per row (no gradient).</summary>
    public int[] ArgMax(int axis = -1)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        var (outer, n, inner) = Split(axis);
        var result = new int[outer * inner];
        var x = Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                result[o * inner + i] = ArgMax(x[(o * n * inner + i)..], n, inner);
        return result;
    }

    /// <summary>Index of the largest of <paramref name="values"/> (the first on ties), as <see cref="ArgMax(int)"/> picks it; for outputs read as spans.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("ArgMax of no values.", nameof(values));
        return ArgMax(values, values.Length, 1);
    }

    // Among values[0], values[stride], …, values[(n − 1)·stride].
    private static int ArgMax(ReadOnlySpan<float> values, int n, int stride)
    {
        int best = 0;
        for (int k = 1; k < n; k++)
            if (values[k * stride] > values[best * stride]) best = k;
        return best;
    }

    // ---- derived ------------------------------------------------------------------------------

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Sum() / Size;

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Sum(axis, keepDim) / Dim(axis);

    /// <summary>Minimum over one axis.</summary>
    public Tensor Min(int axis, bool keepDim = false) => -(-this).Max(axis, keepDim);

    /// <summary>Variance over one axis (biased, divides by n, as LayerNorm uses it).</summary>
    public Tensor Variance(int axis, bool keepDim = false)
    {
        var centred = this - Mean(axis, keepDim: true);
        return (centred * centred).Mean(axis, keepDim);
    }

    /// <summary>log Σ exp(x) over an axis, stable for large |x|: the maximum is taken out first (as a constant).</summary>
    public Tensor LogSumExp(int axis, bool keepDim = false)
    {
        Tensor max;
        using (NoGrad()) max = Max(axis, keepDim: true);
        var y = (this - max).Exp().Sum(axis, keepDim: true).Log() + max;
        return keepDim ? y : y.Reshape(DroppedShape(ShapeUtil.NormalizeAxis(axis, Rank), stackalloc int[Rank - 1]));
    }

    /// <summary>log Σ exp(x) over all elements.</summary>
    public Tensor LogSumExp() => Reshape(Size).LogSumExp(0);

    /// <summary>Softmax over an axis (default: the last): e^(x−max) / Σ e^(x−max), exact at ±1e4 logits.</summary>
    public Tensor Softmax(int axis = -1)
    {
        var e = ShiftedByMax(axis).Exp();
        return e / e.Sum(axis, keepDim: true);
    }

    /// <summary>log-softmax over an axis (default: the last): (x − max) − log Σ e^(x−max), stable at ±1e4 logits.</summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        var shifted = ShiftedByMax(axis);
        return shifted - shifted.Exp().Sum(axis, keepDim: true).Log();
    }

    // x − max(x) along an axis, the max taken as a constant: it cancels in softmax, so no gradient
    // needs to flow through it, and subtracting it before any large sum keeps digits.
    private Tensor ShiftedByMax(int axis)
    {
        Tensor max;
        using (NoGrad()) max = Max(axis, keepDim: true);
        return this - max;
    }

    private (int Outer, int N, int Inner) Split(int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= _shape[i];
        for (int i = axis + 1; i < Rank; i++) inner *= _shape[i];
        return (outer, _shape[axis], inner);
    }

    // This tensor's shape with one axis given a new extent, written into `shape` (Rank long): the
    // output shape of most axis ops. Spans, so that building a shape allocates nothing.
    private Span<int> ShapeWith(int axis, int extent, Span<int> shape)
    {
        _shape.CopyTo(shape);
        shape[axis] = extent;
        return shape;
    }

    // This tensor's shape without one axis, written into `shape` (Rank − 1 long).
    private Span<int> DroppedShape(int axis, Span<int> shape)
    {
        _shape.AsSpan(0, axis).CopyTo(shape);
        _shape.AsSpan(axis + 1).CopyTo(shape[axis..]);
        return shape;
    }
}
