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
