using System.Globalization;
using System.Text;
using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Kernels;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors;

/// <summary>
/// A float32 tensor: contiguous row-major storage plus a shape, a gradient slot and, when it was
/// computed by a recorded op, the <see cref="Node"/> that made it. Scalars are 0-d tensors.
/// </summary>
/// <remarks>
/// Ops never modify their inputs. <see cref="Reshape(ReadOnlySpan{int})"/> returns a view that shares storage;
/// every other op allocates its result (from the <see cref="TensorArena"/> of the running step, if
/// there is one). Reference equality only: there is no <c>==</c> overload, because element-wise
/// comparisons (<see cref="Gt(float)"/>, …) return tensors.
/// </remarks>
public sealed partial class Tensor
{
    // Not readonly only so that an arena reusing tensor objects can give this object to a later
    // step's op (TensorArena.ReusesTensorObjects); nothing else writes them after construction.
    private float[] _data;
    private int _offset;                             // where the values start in _data: 0 except in storage aligned to a cache line
    private int[] _shape;
    private TensorArena? _arena;                     // set when the storage is lent by an arena step
    private int _generation;                         // the arena's generation when it was lent
    private bool _requiresGrad;
    private Tensor? _ownGrad;                        // the last gradient the backward sweep stored here (exclusively ours)
    private Node? _spareNode;                        // this object's node from an earlier step, for its next op to reuse

    /// <summary>Wraps <paramref name="data"/> without copying; the caller gives up ownership.</summary>
    internal Tensor(float[] data, int[] shape) : this(data, 0, shape) { }

    /// <summary>Wraps the values of <paramref name="data"/> from <paramref name="offset"/> on, without copying.</summary>
    private Tensor(float[] data, int offset, int[] shape)
    {
        int size = ShapeUtil.Size(shape);
        if (data.Length - offset < size)
            throw new ArgumentException($"Shape {ShapeUtil.Format(shape)} needs {size} values; got {data.Length - offset}.", nameof(data));
        _data = data;
        _offset = offset;
        _shape = shape;
        Size = size;
    }

    /// <summary>A view of <paramref name="storage"/>'s values in another shape (same size), alive as long as it is.</summary>
    private Tensor(Tensor storage, int[] shape) : this(storage._data, storage._offset, shape)
    {
        _arena = storage._arena;
        _generation = storage._generation;
    }

    /// <summary>
    /// Result storage for an op (see <see cref="TensorArena"/>). Zeroed unless <paramref name="zeroed"/>
    /// is false, which an op may pass only when it writes every element: recycled storage then
    /// holds an earlier step's values, and clearing it would be a wasted pass over memory. Takes
    /// <paramref name="shape"/> as is (shapes are never modified), so an op may pass its input's.
    /// </summary>
    internal static Tensor Output(int[] shape, bool zeroed = true) => Output(shape, shape, zeroed);

    /// <inheritdoc cref="Output(int[], bool)"/>
    /// <remarks>For shapes built on the spot (<c>Output([m, n])</c>): inside a step of an arena that
    /// reuses tensor objects, the shape array of the recycled result is reused and nothing is allocated.</remarks>
    internal static Tensor Output(ReadOnlySpan<int> shape, bool zeroed = true) => Output(shape, null, zeroed);

    private static Tensor Output(ReadOnlySpan<int> shape, int[]? shapeArray, bool zeroed)
    {
        int size = ShapeUtil.Size(shape);
        var arena = TensorArena.Current;
        if (arena is null) return new Tensor(new float[size], shapeArray ?? shape.ToArray());
        return Lent(arena, arena.Rent(size, zeroed), 0, shape, shapeArray, arena, arena.Generation);
    }

    /// <summary>
    /// A view of <paramref name="storage"/>'s values in <paramref name="shape"/> (same size). A view
    /// of storage lent by the running step is a result of that step (its object reused, if the arena
    /// reuses objects); a view of lasting storage (parameters, data) is a new object that lasts as well.
    /// </summary>
    private static Tensor View(Tensor storage, ReadOnlySpan<int> shape, int[]? shapeArray)
    {
        var arena = TensorArena.Current;
        if (arena is null || !arena.ReusesTensorObjects || storage._arena != arena) return new Tensor(storage, shapeArray ?? shape.ToArray());
        return Lent(arena, storage._data, storage._offset, shape, shapeArray, storage._arena, storage._generation);
    }

    /// <summary>
    /// A tensor object for an op result in <paramref name="arena"/>'s step: the object of the same
    /// position in the previous step when the arena reuses objects and the shape matches, else a new one.
    /// </summary>
    private static Tensor Lent(TensorArena arena, float[] data, int offset, ReadOnlySpan<int> shape, int[]? shapeArray, TensorArena? owner, int generation)
    {
        Tensor? t = arena.ReusesTensorObjects ? arena.TakeRecycled(shape) : null;
        if (t is null)
        {
            t = new Tensor(data, offset, shapeArray ?? shape.ToArray());
            if (arena.ReusesTensorObjects) arena.Keep(t);
        }
        else
        {
            // A new life for the object: every field an op or the sweep may have set is reset.
            t._data = data;
            t._offset = offset;
            t._requiresGrad = false;
            t._spareNode = t.Node ?? t._spareNode;
            t.Node = null;
            t.Grad = null;
            t._ownGrad = null;
        }
        t._arena = owner;
        t._generation = generation;
        return t;
    }

    /// <summary>The values, after checking that an arena has not recycled them.</summary>
    private float[] Storage
    {
        get
        {
            if (_arena is not null && _arena.Generation != _generation) ThrowRecycled();
            return _data;
        }
    }

    private void ThrowRecycled() =>
        throw new InvalidOperationException($"This tensor ({ShapeText}) was computed inside a TensorArena step that has ended, and its storage now belongs to a later step. Keep values beyond a step with Clone() or Item() before the step ends.");

    /// <summary>The extent of each axis; empty for a scalar.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of axes.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements (1 for a scalar).</summary>
    public int Size { get; private set; }

    /// <summary>The shape as text, e.g. <c>[32, 4]</c>.</summary>
    public string ShapeText => ShapeUtil.Format(_shape);

    /// <summary>
    /// Accumulated gradient of the last <see cref="Backward"/> with respect to this tensor; null
    /// until a backward pass reaches it. Reset with <see cref="ZeroGrad"/>.
    /// </summary>
    public Tensor? Grad { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs of a gradient
    /// penalty); results of recorded ops get it from their inputs.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!value && Node is not null)
                throw new InvalidOperationException("Cannot stop gradients of a computed tensor in place; use Detach() to get a copy outside the graph.");
            _requiresGrad = value;
        }
    }

    /// <summary>The op that produced this tensor, or null for a leaf or a tensor made without gradients.</summary>
    internal Node? Node { get; private set; }

    /// <summary>True for tensors not produced by a recorded op (parameters, data).</summary>
    public bool IsLeaf => Node is null;

    /// <summary>The elements, row-major. Writing through this span bypasses autograd: use it for data and optimiser updates only.</summary>
    public Span<float> AsSpan() => Storage.AsSpan(_offset, Size);

    /// <summary>The elements, row-major, read-only.</summary>
    public ReadOnlySpan<float> Span => Storage.AsSpan(_offset, Size);

    /// <summary>The shape array itself, for an op's result of the same shape (shapes are never modified, so it can be shared).</summary>
    internal int[] ShapeArray => _shape;

    /// <summary>The backing array, to tell tensors that share storage apart (the values may start at an offset and end before its end: read them through <see cref="Span"/>).</summary>
    internal float[] Data => Storage;

    /// <summary>Extent of one axis; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank)];

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {ShapeText}.");
        return Storage[_offset];
    }

    /// <summary>A copy of the elements, row-major.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>The element at the given index (one index per axis).</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index] => Storage[_offset + ShapeUtil.FlatIndex(_shape, index)];

    /// <summary>Clears <see cref="Grad"/>.</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>
    /// Adds a backward sweep's gradient <paramref name="dy"/> into <see cref="Grad"/>. The stored
    /// gradient never lives in arena storage (it must outlive the step); inside an arena step it
    /// reuses the storage of this leaf's previous gradient, so steady-state steps allocate none.
    /// </summary>
    internal void AccumulateGrad(Tensor dy, bool createGraph)
    {
        if (createGraph)
        {
            Grad = Grad is null ? dy : Grad + dy;                                   // differentiable: keep the graph
            return;
        }
        bool inStep = TensorArena.Current is not null;
        if (Grad is null)
        {
            if (inStep && _ownGrad is not null && _ownGrad.Size == dy.Size) dy.Span.CopyTo(_ownGrad.AsSpan());
            else _ownGrad = dy.Clone();                                              // a copy: one gradient may reach several leaves (a + b)
            Grad = _ownGrad;
            return;
        }
        if (inStep && ReferenceEquals(Grad, _ownGrad))
        {
            System.Numerics.Tensors.TensorPrimitives.Add(_ownGrad.Span, dy.Span, _ownGrad.AsSpan());
            return;
        }
        if (!inStep)
        {
            Grad += dy;
            return;
        }
        var sum = Grad.Clone();                                                      // someone else's tensor: leave it alone
        System.Numerics.Tensors.TensorPrimitives.Add(sum.Span, dy.Span, sum.AsSpan());
        Grad = _ownGrad = sum;
    }

    /// <summary>The same values, outside the graph: gradients do not flow through the result.</summary>
    public Tensor Detach() => View(this, _shape, _shape);

    /// <summary>A copy with its own storage, outside the graph.</summary>
    public Tensor Clone() => new(Span.ToArray(), [.. _shape]);

    /// <summary>Copies the values of <paramref name="source"/> into this tensor (same shape), bypassing autograd.</summary>
    public void CopyFrom(Tensor source)
    {
        if (!ShapeUtil.SameShape(_shape, source._shape))
            throw new ArgumentException($"CopyFrom needs equal shapes; this is {ShapeText}, source is {source.ShapeText}.", nameof(source));
        source.Span.CopyTo(AsSpan());
    }

    // ---- factories -------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="values"/> in the given shape (1-D when no shape is given, even for one value).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        if (shape.Length == 0) shape = [values.Length];                 // like numpy: a flat list is 1-D; use Scalar() for 0-d
        int size = ShapeUtil.Size(shape);
        if (size != values.Length)
            throw new ArgumentException($"Shape {ShapeUtil.Format(shape)} holds {size} values; got {values.Length}.", nameof(values));
        return new Tensor(values.ToArray(), [.. shape]);
    }

    /// <summary>A tensor from nested rows, shape [rows, columns].</summary>
    public static Tensor FromRows(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0) throw new ArgumentException("FromRows needs at least one row.", nameof(rows));
        int columns = rows[0].Length;
        var data = new float[rows.Length * columns];
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != columns)
                throw new ArgumentException($"Row {r} has {rows[r].Length} values; row 0 has {columns}.", nameof(rows));
            rows[r].CopyTo(data, r * columns);
        }
        return new Tensor(data, [rows.Length, columns]);
    }

    /// <summary>A 0-d tensor.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>Zeros of the given shape.</summary>
    public static Tensor Zeros(params int[] shape) => new(new float[ShapeUtil.Size(shape)], [.. shape]);

    /// <summary>
    /// Zeros of the given shape in storage that starts on a 64-byte cache line and never moves: for
    /// parameters, which kernels read row by row with vector loads. Where an array happens to start
    /// mid-line, one 32-byte load in two, and every 64-byte load, straddles two lines. With the
    /// cheetah policy's 256×256 weights 8, 16, 24, 40, 48 or 56 bytes into a line, a
    /// single-observation pass took 4–12% longer than with them on a line (32 bytes in: 1%;
    /// medians of 25 interleaved rounds in one process). The storage is on the pinned object heap,
    /// which only a full collection reclaims: meant for tensors that live as long as a model, not
    /// for temporaries.
    /// </summary>
    public static Tensor ZerosAligned(params int[] shape)
    {
        int size = ShapeUtil.Size(shape);
        var data = GC.AllocateArray<float>(size + CacheLine.Floats, pinned: true);
        return new Tensor(data, CacheLine.Next(data, 0), [.. shape]);
    }

    /// <summary>Ones of the given shape.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var data = new float[ShapeUtil.Size(shape)];
        Array.Fill(data, value);
        return new Tensor(data, [.. shape]);
    }

    /// <summary>Zeros shaped like <paramref name="other"/>.</summary>
    public static Tensor ZerosLike(Tensor other) => Zeros(other._shape);

    /// <summary>Ones shaped like <paramref name="other"/>.</summary>
    public static Tensor OnesLike(Tensor other) => Ones(other._shape);

    /// <summary>0, 1, …, n−1 as a 1-D tensor.</summary>
    public static Tensor Arange(int n)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = i;
        return new Tensor(data, [n]);
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Uniform(Rng rng, float low, float high, params int[] shape)
    {
        var t = Zeros(shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = (float)rng.Uniform(low, high);
        return t;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(Rng rng, float mean, float std, params int[] shape)
    {
        var t = Zeros(shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = (float)rng.Normal(mean, std);
        return t;
    }

    /// <summary>A trainable leaf: a copy-free wrapper of this tensor's values with <see cref="RequiresGrad"/> set.</summary>
    public Tensor AsParameter()
    {
        var p = new Tensor(this, _shape) { RequiresGrad = true };
        return p;
    }

    // ---- graph recording ---------------------------------------------------------------------

    /// <summary>
    /// Attaches a node to <paramref name="result"/> when gradients are on and some input needs
    /// them, and returns it for the op to store the constants its rule reads; otherwise returns
    /// null and leaves the result untouched, so inference builds no graph at all.
    /// </summary>
    internal static Node? Record(Tensor result, string op, Tensor a, BackwardRule backward)
    {
        if (!GradMode.IsEnabled || !a._requiresGrad) return null;
        var node = result.Attach(op, 1, backward);
        node.Inputs[0] = a;
        return node;
    }

    /// <inheritdoc cref="Record(Tensor, string, Tensor, BackwardRule)"/>
    internal static Node? Record(Tensor result, string op, Tensor a, Tensor b, BackwardRule backward)
    {
        if (!GradMode.IsEnabled || !(a._requiresGrad || b._requiresGrad)) return null;
        var node = result.Attach(op, 2, backward);
        (node.Inputs[0], node.Inputs[1]) = (a, b);
        return node;
    }

    /// <inheritdoc cref="Record(Tensor, string, Tensor, BackwardRule)"/>
    internal static Node? Record(Tensor result, string op, Tensor a, Tensor b, Tensor c, BackwardRule backward)
    {
        if (!GradMode.IsEnabled || !(a._requiresGrad || b._requiresGrad || c._requiresGrad)) return null;
        var node = result.Attach(op, 3, backward);
        (node.Inputs[0], node.Inputs[1], node.Inputs[2]) = (a, b, c);
        return node;
    }

    /// <inheritdoc cref="Record(Tensor, string, Tensor, BackwardRule)"/>
    internal static Node? Record(Tensor result, string op, IReadOnlyList<Tensor> inputs, BackwardRule backward)
    {
        if (!GradMode.IsEnabled) return null;
        bool any = false;
        foreach (var x in inputs) any |= x._requiresGrad;
        if (!any) return null;
        var node = result.Attach(op, inputs.Count, backward);
        for (int i = 0; i < inputs.Count; i++) node.Inputs[i] = inputs[i];
        return node;
    }

    // This tensor's node: the one it had in an earlier step (an arena reusing objects), or a new one.
    private Node Attach(string op, int inputCount, BackwardRule backward)
    {
        var node = _spareNode ?? new Node();
        _spareNode = null;
        node.Reset(op, this, inputCount, backward);
        Node = node;
        _requiresGrad = true;
        return node;
    }

    /// <summary>A scope in which ops record no graph (inference, optimiser updates). Dispose to leave it.</summary>
    public static GradMode.Scope NoGrad() => GradMode.Disable();

    // ---- text ----------------------------------------------------------------------------------

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeText);
        if (_arena is not null && _arena.Generation != _generation) sb.Append(" (recycled by its arena step)");
        else if (Size <= 64)
        {
            sb.Append(' ');
            AppendValues(sb, 0, 0);
        }
        if (_requiresGrad) sb.Append(Node is null ? " (requires grad)" : $" (grad: {Node.Op})");
        return sb.ToString();
    }

    private int AppendValues(StringBuilder sb, int axis, int offset)
    {
        if (axis == Rank)
        {
            sb.Append(Storage[_offset + offset].ToString("G6", CultureInfo.InvariantCulture));
            return offset + 1;
        }
        sb.Append('[');
        for (int i = 0; i < _shape[axis]; i++)
        {
            if (i > 0) sb.Append(", ");
            offset = AppendValues(sb, axis + 1, offset);
        }
        sb.Append(']');
        return offset;
    }
}
