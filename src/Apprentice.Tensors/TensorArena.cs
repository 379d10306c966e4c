namespace Apprentice.Tensors;

/// <summary>
/// Reuses the storage of intermediate tensors from one training step to the next. Inside
/// <see cref="Step"/>, every op (forward and backward) takes its result's storage from the arena;
/// when the step ends, all of it goes back for the next step, so a loop of equal steps stops
/// allocating that storage after the first one (the bulk of a step's garbage: one array per op).
/// </summary>
/// <remarks>
/// <para>What stays valid after a step: parameters and buffers, tensors made with the public
/// factories (<see cref="Tensor.Zeros"/>, <see cref="Tensor.FromArray"/>, <see cref="Tensor.Clone"/>, …),
/// optimiser state, and leaf gradients (<see cref="Tensor.Grad"/>), which live in storage each leaf
/// keeps. Everything an op computed during the step is recycled: reading it afterwards (its values,
/// its shape is still fine) throws <see cref="InvalidOperationException"/> instead of returning
/// another step's numbers. Take scalars out with <see cref="Tensor.Item"/> and keep copies with
/// <see cref="Tensor.Clone"/>.</para>
/// <para>Inside a step, a leaf's gradient reuses the storage of the gradient
/// <see cref="Tensor.ZeroGrad"/> cleared before (as PyTorch writes gradients in place): clone a
/// gradient if it must outlive the next step.</para>
/// <para>With <c>reuseTensorObjects: true</c> the arena also reuses the tensor objects (and their
/// shapes and graph nodes): the k-th op result of a step is the object of the k-th result of the
/// previous step when the shapes match, so a loop of equal steps allocates nothing at all on the
/// managed heap. The price is part of the guarantee above. A reference kept past its step still
/// throws between steps, but while a later step runs it may be that step's result of the same
/// place (the k-th op) and shape: the same object, showing that op's values, graph and gradient
/// state, with no error. A reference whose place went to a tensor of another shape (the sequence
/// of ops changed) stays recycled and throws. Views of tensors made outside the step (a
/// <see cref="Tensor.Reshape"/> or <see cref="Tensor.Detach"/> of a parameter or of the input
/// batch) are not results of the step: they are new objects (a small allocation) and stay valid,
/// as without reuse. Use it in training loops that keep nothing computed
/// past a step but <see cref="Tensor.Item"/> values and clones, as behaviour cloning does.</para>
/// <para>An arena serves one thread at a time; steps do not nest. The current step is per thread
/// (like <see cref="Autograd.GradMode"/>), so other threads' tensors are never taken from it.</para>
/// </remarks>
public sealed class TensorArena
{
    [ThreadStatic] private static TensorArena? t_current;

    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private readonly List<float[]> _lent = [];
    private bool _inStep;
    private SweepScratch? _sweepScratch;    // null while a sweep is using it (a nested sweep makes its own)
    private readonly List<Tensor> _objects = [];   // with object reuse: the op results of the last step, in order
    private int _cursor;                           // the position of the step's next op result in _objects

    /// <summary>An arena that reuses the storage of op results, but not their objects (stale references throw).</summary>
    public TensorArena() : this(reuseTensorObjects: false) { }

    /// <summary>An arena that reuses the storage of op results and, if asked, their tensor objects too.</summary>
    /// <param name="reuseTensorObjects">Reuse tensor objects, shapes and graph nodes from step to step, so that
    /// steady-state steps allocate nothing; a stale reference then shows a later step's values instead of throwing
    /// (see the remarks).</param>
    public TensorArena(bool reuseTensorObjects) => ReusesTensorObjects = reuseTensorObjects;

    /// <summary>Whether op results reuse the tensor objects of the previous step (see the remarks).</summary>
    public bool ReusesTensorObjects { get; }

    /// <summary>Counts finished steps; a tensor made in an earlier step is dead when this has moved on.</summary>
    internal int Generation { get; private set; }

    /// <summary>The arena of the step running on this thread, or null.</summary>
    internal static TensorArena? Current => t_current;

    /// <summary>Bytes of storage the arena holds (lent out or ready for reuse).</summary>
    public long BytesHeld { get; private set; }

    /// <summary>Starts a step on this thread; dispose the scope to end it and recycle its tensors.</summary>
    /// <exception cref="InvalidOperationException">A step is already running on this thread, or this arena is in a step on another thread.</exception>
    public StepScope Step()
    {
        if (t_current is not null)
            throw new InvalidOperationException("An arena step is already running on this thread; steps do not nest.");
        if (_inStep)
            throw new InvalidOperationException("This arena is in a step on another thread; an arena serves one thread at a time.");
        _inStep = true;
        _cursor = 0;
        t_current = this;
        return new StepScope(this);
    }

    /// <summary>Storage of exactly <paramref name="size"/> floats, lent until the step ends; zeroed unless the caller overwrites it all.</summary>
    internal float[] Rent(int size, bool zeroed)
    {
        float[] data;
        if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            data = stack.Pop();
            if (zeroed) Array.Clear(data);           // ops may rely on zeros, as from Tensor.Zeros
        }
        else
        {
            data = new float[size];
            BytesHeld += 4L * size;
        }
        _lent.Add(data);
        return data;
    }

    /// <summary>The tensor object at the step's next result position if it has <paramref name="shape"/> (the caller resets it), else null.</summary>
    internal Tensor? TakeRecycled(ReadOnlySpan<int> shape)
    {
        if (_cursor >= _objects.Count || !ShapeUtil.SameShape(_objects[_cursor].Shape, shape)) return null;
        return _objects[_cursor++];
    }

    /// <summary>Puts a new result object at the step's next position (replacing one of another shape, if any).</summary>
    internal void Keep(Tensor tensor)
    {
        if (_cursor < _objects.Count) _objects[_cursor] = tensor;
        else _objects.Add(tensor);
        _cursor++;
    }

    /// <summary>The backward sweep's collections (fresh ones if a sweep already holds the arena's).</summary>
    internal SweepScratch TakeSweepScratch()
    {
        var scratch = _sweepScratch ?? new SweepScratch();
        _sweepScratch = null;
        return scratch;
    }

    /// <summary>Gives back (cleared) what <see cref="TakeSweepScratch"/> lent.</summary>
    internal void ReturnSweepScratch(SweepScratch scratch) => _sweepScratch = scratch;

    private void End()
    {
        if (!_inStep || t_current != this) return;   // disposed twice
        foreach (var data in _lent)
        {
            if (!_free.TryGetValue(data.Length, out var stack)) _free[data.Length] = stack = new Stack<float[]>();
            stack.Push(data);
        }
        _lent.Clear();
        Generation++;
        _inStep = false;
        t_current = null;
    }

    /// <summary>Ends the step when disposed. A struct, so entering a step allocates nothing.</summary>
    public readonly struct StepScope : IDisposable
    {
        private readonly TensorArena? _arena;

        internal StepScope(TensorArena arena) => _arena = arena;

        /// <summary>Ends the step: every tensor an op made in it is recycled.</summary>
        public void Dispose() => _arena?.End();
    }
}
