namespace Apprentice.Tensors;

// Index primitives: IndexSelect picks slices along an axis; IndexAdd is its adjoint (scatter-add).
// Each is the other's backward, so both are twice differentiable.
public sealed partial class Tensor
{
    /// <summary>The slices at <paramref name="indices"/> along <paramref name="axis"/>, in that order (repeats allowed).</summary>
    public Tensor IndexSelect(int axis, int[] indices)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        var (outer, n, inner) = Split(axis);
        foreach (int i in indices)
            if ((uint)i >= (uint)n) throw new IndexOutOfRangeException($"Index {i} is out of range for axis {axis} of extent {n} (shape {ShapeText}).");
        var y = Output(ShapeWith(axis, indices.Length, stackalloc int[Rank]));
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < indices.Length; j++)
                x.Slice((o * n + indices[j]) * inner, inner).CopyTo(d.Slice((o * indices.Length + j) * inner, inner));
        if (Record(y, "index_select", this, static (n, dy, dx) => dx[0] = dy.IndexAdd(n.Axis, n.Indices!, n.Inputs[0]._shape[n.Axis])) is { } node)
            (node.Axis, node.Indices) = (axis, indices);
        return y;
    }

    /// <summary>
    /// A zero tensor with extent <paramref name="extent"/> on <paramref name="axis"/>, into which slice
    /// j of this tensor is added at position <c>indices[j]</c> (repeats accumulate).
    /// </summary>
    public Tensor IndexAdd(int axis, int[] indices, int extent)
    {
        axis = ShapeUtil.NormalizeAxis(axis, Rank);
        var (outer, n, inner) = Split(axis);
        if (indices.Length != n) throw new ArgumentException($"IndexAdd: {indices.Length} indices for axis {axis} of extent {n}.");
        foreach (int i in indices)
            if ((uint)i >= (uint)extent) throw new IndexOutOfRangeException($"Index {i} is out of range for extent {extent}.");
        var y = Output(ShapeWith(axis, extent, stackalloc int[Rank]));
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < n; j++)
            {
                var src = x.Slice((o * n + j) * inner, inner);
                var dst = d.Slice((o * extent + indices[j]) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
            }
        if (Record(y, "index_add", this, static (n, dy, dx) => dx[0] = dy.IndexSelect(n.Axis, n.Indices!)) is { } node)
            (node.Axis, node.Indices) = (axis, indices);
        return y;
    }

    /// <summary>
    /// PyTorch's <c>gather</c> for one index per row: from a [N, C] tensor, element
    /// <c>indices[i]</c> of row i, giving [N]. Used by cross-entropy and Categorical log-probs.
    /// The backward pass reads <paramref name="indices"/> again: leave the array unchanged until then.
    /// </summary>
    /// <remarks>The values and gradients of <c>Reshape(N·C).IndexSelect(0, [i·C + indices[i]])</c>, as one
    /// primitive so that it needs no flat index array of its own.</remarks>
    public Tensor GatherRows(int[] indices)
    {
        if (Rank != 2) throw new ArgumentException($"GatherRows needs a 2-D tensor [N, C]; got {ShapeText}.");
        int rows = _shape[0], c = _shape[1];
        if (indices.Length != rows) throw new ArgumentException($"GatherRows: {indices.Length} indices for {rows} rows.");
        for (int i = 0; i < rows; i++)
            if ((uint)indices[i] >= (uint)c) throw new IndexOutOfRangeException($"Class index {indices[i]} at row {i} is out of range [0, {c}).");
        var y = Output([rows], zeroed: false);
        var x = Span;
        var d = y.AsSpan();
        for (int i = 0; i < rows; i++) d[i] = x[i * c + indices[i]];
        Record(y, "gather_rows", this, static (n, dy, dx) => dx[0] = dy.ScatterRows(n.Indices!, n.Inputs[0]._shape[1]))?.Indices = indices;
        return y;
    }

    /// <summary>The adjoint of <see cref="GatherRows"/>: a zero [N, <paramref name="columns"/>] tensor with element i of this [N] tensor added at (i, indices[i]).</summary>
    internal Tensor ScatterRows(int[] indices, int columns)
    {
        int rows = _shape[0];
        var y = Output([rows, columns]);
        var x = Span;
        var d = y.AsSpan();
        for (int i = 0; i < rows; i++) d[i * columns + indices[i]] += x[i];        // 0 + x, as IndexAdd adds it
        Record(y, "scatter_rows", this, static (n, dy, dx) => dx[0] = dy.GatherRows(n.Indices!))?.Indices = indices;
        return y;
    }
}
