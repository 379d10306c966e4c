namespace Apprentice.Tensors;

// Shape primitives: views, broadcasting and its inverse, permutations, slices, concatenation.
public sealed partial class Tensor
{
    /// <summary>The same values in a new shape (a view: no copy). One dimension may be −1.</summary>
    public Tensor Reshape(params ReadOnlySpan<int> shape)
    {
        var resolved = ShapeUtil.ResolveReshape(_shape, Size, shape, stackalloc int[shape.Length]);
        if (ShapeUtil.SameShape(resolved, _shape) && !RequiresGrad) return this;
        var y = View(this, resolved, null);
        Record(y, "reshape", this, static (n, dy, dx) => dx[0] = dy.Reshape(n.Inputs[0]._shape));
        return y;
    }

    /// <summary>Collapses all axes after the first: [N, ...] → [N, rest].</summary>
    public Tensor Flatten() => Reshape(Rank == 0 ? 1 : _shape[0], -1);

    /// <summary>Adds an axis of extent 1 at <paramref name="axis"/>.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Unsqueeze axis {axis} out of range for rank {Rank}.");
        return Reshape([.. _shape[..a], 1, .. _shape[a..]]);
    }

    /// <summary>Repeats values along axes of extent 1 (and new leading axes) to reach <paramref name="shape"/>.</summary>
    public Tensor BroadcastTo(params ReadOnlySpan<int> shape)
    {
        if (ShapeUtil.SameShape(shape, _shape)) return this;
        var target = ShapeUtil.Broadcast(_shape, shape, stackalloc int[Math.Max(Rank, shape.Length)]);
        if (!ShapeUtil.SameShape(target, shape))
            throw new ArgumentException($"Cannot broadcast {ShapeText} to {ShapeUtil.Format(shape)}.");
        var y = Output(target, zeroed: false);
        Span<int> strides = stackalloc int[shape.Length];
        ShapeUtil.BroadcastStrides(_shape, shape, strides);
        var x = Span;
        var d = y.AsSpan();
        int rank = shape.Length;
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        Span<int> index = stackalloc int[rank];
        int offset = 0;
        for (int r = 0, rows = inner == 0 ? 0 : d.Length / inner; r < rows; r++)
        {
            var row = d.Slice(r * inner, inner);
            if (innerStride == 0) row.Fill(x[offset]);
            else x.Slice(offset, inner).CopyTo(row);
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                offset += strides[axis];
                if (++index[axis] < shape[axis]) break;
                offset -= strides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
        Record(y, "broadcast", this, static (n, dy, dx) => dx[0] = dy.SumToShape(n.Inputs[0]._shape));
        return y;
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="shape"/> (the inverse of <see cref="BroadcastTo"/>).</summary>
    public Tensor SumToShape(ReadOnlySpan<int> shape)
    {
        if (ShapeUtil.SameShape(shape, _shape)) return this;
        var result = this;
        int lead = Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"Cannot sum {ShapeText} down to the larger rank {ShapeUtil.Format(shape)}.");
        for (int i = 0; i < lead; i++) result = result.Sum(0);
        for (int i = 0; i < shape.Length; i++)
            if (shape[i] == 1 && result._shape[i] != 1) result = result.Sum(i, keepDim: true);
        if (!ShapeUtil.SameShape(result._shape, shape))
            throw new ArgumentException($"Cannot sum {ShapeText} down to {ShapeUtil.Format(shape)}.");
        return result;
    }

    /// <summary>Reorders axes: result axis i is input axis <c>permutation[i]</c>.</summary>
    public Tensor Permute(params int[] permutation)
    {
        if (permutation.Length != Rank) throw new ArgumentException($"Permute needs {Rank} axes for shape {ShapeText}; got {permutation.Length}.");
        var seen = new bool[Rank];
        foreach (int p in permutation)
        {
            if ((uint)p >= (uint)Rank || seen[p]) throw new ArgumentException($"[{string.Join(", ", permutation)}] is not a permutation of {Rank} axes.");
            seen[p] = true;
        }
        var shape = new int[Rank];
        for (int i = 0; i < Rank; i++) shape[i] = _shape[permutation[i]];
        var y = Output(shape, zeroed: false);
        var inStrides = ShapeUtil.Strides(_shape);
        var strides = new int[Rank];
        for (int i = 0; i < Rank; i++) strides[i] = inStrides[permutation[i]];
        var x = Span;
        var d = y.AsSpan();
        Span<int> index = stackalloc int[Rank];
        int offset = 0;
        for (int j = 0; j < d.Length; j++)
        {
            d[j] = x[offset];
            for (int axis = Rank - 1; axis >= 0; axis--)
            {
                offset += strides[axis];
                if (++index[axis] < shape[axis]) break;
                offset -= strides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[permutation[i]] = i;
        Record(y, "permute", this, static (n, dy, dx) => dx[0] = dy.Permute(n.Indices!))?.Indices = inverse;
        return y;
    }

    /// <summary>Swaps two axes (default: the last two).</summary>
    public Tensor Transpose(int axis0 = -2, int axis1 = -1)
    {
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        int a = ShapeUtil.NormalizeAxis(axis0, Rank), b = ShapeUtil.NormalizeAxis(axis1, Rank);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The matrix transpose of a 2-D tensor.</summary>
    public Tensor T => Transpose(0, 1);

    /// <summary>Elements <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1 along <paramref name="axis"/>.</summary>
    public Tensor Slice(int axis, int start, int length)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        if (start < 0 || length < 0 || start + length > _shape[axis])
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + length}) is outside axis {axis} of extent {_shape[axis]} (shape {ShapeText}).");
        var (outer, n, inner) = Split(axis);
        var y = Output(ShapeWith(axis, length, stackalloc int[Rank]));
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
            x.Slice((o * n + start) * inner, length * inner).CopyTo(d.Slice(o * length * inner, length * inner));
        if (Record(y, "slice", this, static (n, dy, dx) => dx[0] = dy.Pad(n.Axis, n.Start, n.Inputs[0]._shape[n.Axis])) is { } node)
            (node.Axis, node.Start) = (axis, start);
        return y;
    }

    /// <summary>Places this tensor at offset <paramref name="start"/> of a zero tensor whose <paramref name="axis"/> has extent <paramref name="extent"/> (the inverse of <see cref="Slice"/>).</summary>
    public Tensor Pad(int axis, int start, int extent)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        int length = _shape[axis];
        if (start < 0 || start + length > extent)
            throw new ArgumentOutOfRangeException(nameof(start), $"Pad: [{start}, {start + length}) does not fit in extent {extent}.");
        var (outer, _, inner) = Split(axis);
        var y = Output(ShapeWith(axis, extent, stackalloc int[Rank]));
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
            x.Slice(o * length * inner, length * inner).CopyTo(d.Slice((o * extent + start) * inner, length * inner));
        if (Record(y, "pad", this, static (n, dy, dx) => dx[0] = dy.Slice(n.Axis, n.Start, n.Inputs[0]._shape[n.Axis])) is { } node)
            (node.Axis, node.Start) = (axis, start);
        return y;
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other extents must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        axis = ShapeUtil.NormalizeAxis(axis, first.Rank);
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank) throw new ArgumentException($"Concat: shapes {first.ShapeText} and {t.ShapeText} differ in rank.");
            for (int i = 0; i < t.Rank; i++)
                if (i != axis && t._shape[i] != first._shape[i])
                    throw new ArgumentException($"Concat along axis {axis}: shapes {first.ShapeText} and {t.ShapeText} differ on axis {i}.");
            total += t._shape[axis];
        }
        var y = Output(first.ShapeWith(axis, total, stackalloc int[first.Rank]));
        var (outer, _, inner) = first.Split(axis);
        var d = y.AsSpan();
        int offset = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            int len = tensors[t]._shape[axis];
            var x = tensors[t].Span;
            for (int o = 0; o < outer; o++)
                x.Slice(o * len * inner, len * inner).CopyTo(d.Slice((o * total + offset) * inner, len * inner));
            offset += len;
        }
        Record(y, "concat", tensors, static (n, dy, dx) =>
        {
            for (int t = 0, start = 0; t < n.Inputs.Length; t++)
            {
                int length = n.Inputs[t]._shape[n.Axis];
                dx[t] = dy.Slice(n.Axis, start, length);
                start += length;
            }
        })?.Axis = axis;
        return y;
    }

    /// <summary>Stacks equal-shaped tensors along a new leading axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors) => Concat(tensors.Select(t => t.Unsqueeze(0)).ToArray(), 0);
}
