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
        var shape = ShapeWith(axis, indices.Length);
        var y = Output(shape);
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < indices.Length; j++)
                x.Slice((o * n + indices[j]) * inner, inner).CopyTo(d.Slice((o * indices.Length + j) * inner, inner));
        return Record(y, "index_select", this, dy => [dy.IndexAdd(axis, indices, n)]);
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
        var shape = ShapeWith(axis, extent);
        var y = Output(shape);
        var x = Span;
        var d = y.AsSpan();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < n; j++)
            {
                var src = x.Slice((o * n + j) * inner, inner);
                var dst = d.Slice((o * extent + indices[j]) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
            }
        return Record(y, "index_add", this, dy => [dy.IndexSelect(axis, indices)]);
    }

    /// <summary>
    /// PyTorch's <c>gather</c> for one index per row: from a [N, C] tensor, element
    /// <c>indices[i]</c> of row i, giving [N]. Used by cross-entropy and Categorical log-probs.
    /// </summary>
    public Tensor GatherRows(int[] indices)
    {
        if (Rank != 2) throw new ArgumentException($"GatherRows needs a 2-D tensor [N, C]; got {ShapeText}.");
        int n = _shape[0], c = _shape[1];
        if (indices.Length != n) throw new ArgumentException($"GatherRows: {indices.Length} indices for {n} rows.");
        var flat = new int[n];
        for (int i = 0; i < n; i++)
        {
            if ((uint)indices[i] >= (uint)c) throw new IndexOutOfRangeException($"Class index {indices[i]} at row {i} is out of range [0, {c}).");
            flat[i] = i * c + indices[i];
        }
        return Reshape(n * c).IndexSelect(0, flat);                     // derived: a flat IndexSelect
    }
}
