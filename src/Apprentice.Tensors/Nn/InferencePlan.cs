using System.Diagnostics;
using Apprentice.Tensors.Kernels;

namespace Apprentice.Tensors.Nn;

/// <summary>
/// A feed-forward network compiled for inference without gradients: each layer writes into a
/// buffer the plan owns, so after the first call at a given batch size a call allocates nothing.
/// This is the path policies act through (one observation per call inside rollouts), where the
/// ordinary <see cref="Module.Forward"/> would allocate a tensor per op.
/// </summary>
/// <remarks>
/// <para>The results are bit-identical to <see cref="Module.Forward"/> under <see cref="Tensor.NoGrad"/>:
/// every step calls the same kernels in the same order on the same spans (the GEMM, then the bias
/// added to every row, then the activation over the whole batch, as the tensor ops do).</para>
/// <para>One row through a large layer (at least <see cref="SplitWeights"/> weights, as the
/// 256×256 layer of a MuJoCo policy) is shared between two cores when the engine has two threads:
/// each computes the layers before it and half of that layer's outputs with their activation, the
/// caller the rest. A single observation is bound by reading the weights from cache, and two cores
/// read from two caches. Each output is computed by the same code either way, so the bits do not change.
/// When the worker has not started by the time the caller is done with its half (its core busy
/// elsewhere), the caller computes the other half too, from the layers it has already run.
/// Where the layer is cut moves by whole vectors of 16 outputs towards the core that keeps finishing
/// first: on a VM one core's cache can be slower than the other's for seconds at a time. And the
/// plan times shared calls against calls on the caller alone now and then, and makes the faster
/// kind (<see cref="TwoOrOne"/>): on a VM, hand-offs between cores are slow in some minutes, and
/// then two threads would be slower than one.</para>
/// <para>Supported layers: <see cref="Linear"/>, <see cref="ReLU"/>, <see cref="Tanh"/>,
/// <see cref="Sigmoid"/>, <see cref="Softplus"/>, <see cref="GELU"/>, <see cref="Identity"/> and
/// <see cref="Sequential"/> of these. The plan reads the layers' parameters at each call, so training or loading weights
/// between calls needs no new plan. It holds buffers, so one plan serves one thread at a time.</para>
/// </remarks>
public sealed class InferencePlan
{
    /// <summary>Weights a layer needs before one row's pass is split over two cores (128 KB: L1 cannot hold them, each core's L2 holds its half).</summary>
    public const int SplitWeights = 32 * 1024;

    private readonly Step[] _steps;
    private readonly int _maxWidth;
    private float[] _front = [];
    private float[] _back = [];
    private int _rowCapacity;
    private readonly int _split = -1;                // index of the Linear step a single row shares between two cores, or −1
    private readonly int _splitEnd;                  // steps [_split, _splitEnd) run in halves: the Linear and the activations after it
    private readonly SplitRow? _splitRow;
    internal SplitRow? SharedRow => _splitRow;    // for tests

    private InferencePlan(Step[] steps, int inputSize, int outputSize, int maxWidth)
    {
        _steps = steps;
        InputSize = inputSize;
        OutputSize = outputSize;
        _maxWidth = maxWidth;
        if (Gemm.MaxThreads < 2) return;
        int before = 0;                              // weights each part recomputes ahead of the split layer
        for (int i = 0; i < steps.Length; i++)
        {
            if (steps[i] is GeluStep) return;       // it keeps a scratch buffer: the two parts cannot both run it
            if (steps[i] is not LinearStep linear) continue;
            int weights = linear.Layer.InFeatures * linear.Layer.OutFeatures;
            // Halves in whole vectors of 16, so each activation lane runs through the same vector
            // code as in one pass; the layers before it cheap next to it, as both parts run them.
            if (weights >= SplitWeights && linear.Layer.OutFeatures % 32 == 0 && before * 4 <= weights)
            {
                _split = i;
                _splitEnd = i + 1;
                while (_splitEnd < steps.Length && steps[_splitEnd] is ActivationStep) _splitEnd++;
                _splitRow = new SplitRow(this);
                return;
            }
            before += weights;
        }
    }

    /// <summary>Whether a single row's pass is shared between two cores (see remarks).</summary>
    public bool SharesSingleRows => _splitRow is not null;

    /// <summary>Length of one input row.</summary>
    public int InputSize { get; }

    /// <summary>Length of one output row.</summary>
    public int OutputSize { get; }

    /// <summary>Compiles <paramref name="model"/> for inputs of <paramref name="inputSize"/> features per row.</summary>
    /// <exception cref="NotSupportedException">The model contains a layer the plan cannot run (see remarks).</exception>
    public static InferencePlan Create(Module model, int inputSize) =>
        TryCreate(model, inputSize, out var plan, out var problem) ? plan : throw new NotSupportedException(problem);

    /// <summary>Like <see cref="Create"/>, but returns false (and why) instead of throwing when a layer is not supported.</summary>
    public static bool TryCreate(Module model, int inputSize, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out InferencePlan? plan, out string problem)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        var steps = new List<Step>();
        int width = inputSize, maxWidth = inputSize;
        plan = null;
        if (!Compile(model, steps, ref width, ref maxWidth, out problem)) return false;
        plan = new InferencePlan([.. steps], inputSize, width, maxWidth);
        return true;
    }

    private static bool Compile(Module module, List<Step> steps, ref int width, ref int maxWidth, out string problem)
    {
        problem = "";
        switch (module)
        {
            case Sequential sequential:
                for (int i = 0; i < sequential.Count; i++)
                    if (!Compile(sequential[i], steps, ref width, ref maxWidth, out problem)) return false;
                return true;
            case Linear linear:
                if (linear.InFeatures != width)
                {
                    problem = $"Linear({linear.InFeatures} → {linear.OutFeatures}) receives rows of {width} features.";
                    return false;
                }
                steps.Add(new LinearStep(linear));
                width = linear.OutFeatures;
                maxWidth = Math.Max(maxWidth, width);
                return true;
            case ReLU: steps.Add(new ActivationStep<ReluKernel>()); return true;
            case Tanh: steps.Add(new ActivationStep<TanhKernel>()); return true;
            case Sigmoid: steps.Add(new ActivationStep<SigmoidKernel>()); return true;
            case Softplus: steps.Add(new ActivationStep<SoftplusKernel>()); return true;
            case GELU: steps.Add(new GeluStep()); return true;
            case Identity: return true;
            default:
                problem = $"{module.GetType().Name} is not supported by InferencePlan (supported: Linear, ReLU, Tanh, Sigmoid, Softplus, GELU, Identity, Sequential).";
                return false;
        }
    }

    /// <summary>
    /// Runs the network on <paramref name="input"/> (rows of <see cref="InputSize"/> values, row-major)
    /// and returns the outputs (rows of <see cref="OutputSize"/>). The span points into the plan's own
    /// buffer: it is valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Run(ReadOnlySpan<float> input)
    {
        if (input.Length == 0 || input.Length % InputSize != 0)
            throw new ArgumentException($"Expected rows of {InputSize} values; got {input.Length} values.", nameof(input));
        int rows = input.Length / InputSize;
        EnsureCapacity(rows);
        if (input.Overlaps(_front) || input.Overlaps(_back))
            throw new ArgumentException("The input lies in this plan's own buffers (an earlier Run's output); copy it out first.", nameof(input));
        if (rows == 1 && _splitRow is not null) return _splitRow.Run(input);
        return RunSteps(input, 0, _steps.Length, _front, _back, rows);
    }

    /// <summary>Steps [<paramref name="from"/>, <paramref name="to"/>) on <paramref name="x"/>, alternating between two buffers.</summary>
    private ReadOnlySpan<float> RunSteps(ReadOnlySpan<float> x, int from, int to, Span<float> front, Span<float> back, int rows)
    {
        int width = x.Length / rows;
        bool inFront = false, inBack = false;        // the buffer holding x; neither while x is the caller's input
        for (int i = from; i < to; i++)
        {
            var step = _steps[i];
            if (step.InPlace)
            {
                if (!inFront && !inBack)
                {
                    // The caller's input is read-only: the first element-wise step works on a copy.
                    inFront = true;
                    x.CopyTo(front);
                }
                var y = (inFront ? front : back)[..(rows * width)];
                step.Apply(y, y);
                x = y;
                continue;
            }
            (inFront, inBack) = (!inFront, inFront);
            width = step.OutputWidth;
            var output = (inFront ? front : back)[..(rows * width)];
            step.Apply(x, output);
            x = output;
        }
        return x;
    }

    /// <summary>
    /// One row with the split layer shared: part 0 (the caller) runs the steps before it into
    /// buffers of its own, then outputs [0, <see cref="Boundary"/>) of the layer and the activations
    /// after it into one shared row, and part 1 the same for outputs [Boundary, n) on a worker; the
    /// caller then runs the remaining steps.
    /// </summary>
    internal sealed class SplitRow : IParallelWork
    {
        /// <summary>Outputs moved between the parts at a time: one vector of activations, one cache line of the shared row.</summary>
        internal const int BalanceStep = 16;
        /// <summary>
        /// Net calls on which one part finished last before the boundary moves: with calls of
        /// ~2.5 µs, at least 160 µs of evidence. A cut that is just right flips between neighbours
        /// now and then, which costs only the 16 rows whose cache changes.
        /// </summary>
        internal const int BalanceVotes = 64;

        private readonly InferencePlan _plan;
        private readonly LinearStep _layer;
        // Each part writes only cache lines no other part writes: a line both cores write passes
        // between their caches on every call, and on this kind of VM a pass can take 300 ns.
        // The part buffers are pinned and cut at line boundaries; the shared row is placed so
        // that part 1's half starts a line.
        private readonly float[] _lines;
        private readonly int[] _bufferStart;         // part t's two buffers start at _bufferStart[2t], [2t + 1]
        private readonly int _sharedStart;
        private readonly int _inputStart;            // the caller's copy of the input row, on lines of its own
        private readonly int _middle, _maxShift;     // the boundary stays within _maxShift of the middle, each part keeping at least one step
        private int _votes;                          // calls on which the caller waited for the worker, minus those on which it did not
        private int _callerThread;                   // the thread of the call under way
        private int _callerBefore;                   // where in _lines part 0 left the row as it enters the split layer

        public SplitRow(InferencePlan plan)
        {
            _plan = plan;
            _layer = (LinearStep)plan._steps[plan._split];
            int width = RoundUpToLine(plan._maxWidth), inputLines = RoundUpToLine(plan.InputSize);
            _lines = GC.AllocateArray<float>(4 * width + inputLines + 2 * width + 3 * CacheLine.Floats, pinned: true);
            int first = CacheLine.Next(_lines, 0);
            _bufferStart = [first, first + width, first + 2 * width, first + 3 * width];
            _inputStart = first + 4 * width;
            // The half boundary, _sharedStart + share, must fall on a line.
            int share = _layer.OutputWidth / 2;
            int boundary = _inputStart + inputLines + CacheLine.Floats + RoundUpToLine(share);
            _sharedStart = boundary - share;
            _middle = Boundary = share;
            _maxShift = Math.Min(3 * BalanceStep, share - BalanceStep);
        }

        /// <summary>The first output of the layer that part 1 computes: a multiple of <see cref="BalanceStep"/>.</summary>
        internal int Boundary { get; private set; }

        /// <summary>
        /// Counts one call's evidence and moves <see cref="Boundary"/> one step once either part has
        /// finished last on <see cref="BalanceVotes"/> more calls than the other: towards part 1
        /// (the caller takes more) when the caller kept waiting for the worker, back otherwise.
        /// </summary>
        internal void Balance(bool callerWaited)
        {
            _votes += callerWaited ? 1 : -1;
            if (Math.Abs(_votes) < BalanceVotes) return;
            int next = Boundary + (_votes > 0 ? BalanceStep : -BalanceStep);
            _votes = 0;
            if (Math.Abs(next - _middle) <= _maxShift) Boundary = next;
        }

        private static int RoundUpToLine(int floats) => (floats + CacheLine.Floats - 1) / CacheLine.Floats * CacheLine.Floats;

        private Span<float> Buffer(int index) => _lines.AsSpan(_bufferStart[index], _plan._maxWidth);

        private Span<float> Input => _lines.AsSpan(_inputStart, _plan.InputSize);

        /// <summary>Decides per call whether the row is shared or run on the caller alone (see <see cref="TwoOrOne"/>).</summary>
        internal TwoOrOne Choice { get; } = new();

        public ReadOnlySpan<float> Run(ReadOnlySpan<float> input)
        {
            var choice = Choice;
            if (!choice.Probing)
            {
                choice.Counted();
                return choice.Shares ? RunShared(input) : RunAlone(input);
            }
            bool shares = choice.ProbeShares;
            long start = Stopwatch.GetTimestamp();
            var output = shares ? RunShared(input) : RunAlone(input);
            choice.Took(Stopwatch.GetTimestamp() - start);
            return output;
        }

        /// <summary>The whole row on the calling thread: the plan's ordinary path for one row.</summary>
        internal ReadOnlySpan<float> RunAlone(ReadOnlySpan<float> input) =>
            _plan.RunSteps(input, 0, _plan._steps.Length, _plan._front, _plan._back, 1);

        /// <summary>The row shared between the caller and a worker.</summary>
        internal ReadOnlySpan<float> RunShared(ReadOnlySpan<float> input)
        {
            var plan = _plan;
            input.CopyTo(Input);                     // a span cannot be handed to the other thread
            _callerThread = Environment.CurrentManagedThreadId;
            Balance(WorkerPool.Run(this, 2));
            var row = _lines.AsSpan(_sharedStart, _layer.OutputWidth);
            if (plan._splitEnd == plan._steps.Length)
            {
                row.CopyTo(plan._front);
                return plan._front.AsSpan(0, row.Length);
            }
            return plan.RunSteps(row, plan._splitEnd, plan._steps.Length, plan._front, plan._back, 1);
        }

        public void Run(int part, int parts)
        {
            var plan = _plan;
            ReadOnlySpan<float> x;
            if (part == 1 && Environment.CurrentManagedThreadId == _callerThread)
            {
                // Taken back (the worker had not started it, its core busy elsewhere) or run in turn:
                // part 0 has just computed the same layers before the split on this thread.
                x = _lines.AsSpan(_callerBefore, _layer.Layer.InFeatures);
            }
            else
            {
                x = plan.RunSteps(Input, 0, plan._split, Buffer(2 * part), Buffer(2 * part + 1), 1);
                if (part == 0) ((ReadOnlySpan<float>)_lines).Overlaps(x, out _callerBefore);
            }
            int start = part == 0 ? 0 : Boundary, end = part == 0 ? Boundary : _layer.OutputWidth;
            var y = _lines.AsSpan(_sharedStart + start, end - start);
            _layer.ApplyColumns(x, y, start);
            for (int i = plan._split + 1; i < plan._splitEnd; i++) plan._steps[i].Apply(y, y);
        }
    }

    /// <summary>
    /// Whether single rows are shared between two cores or run on the caller alone, decided by
    /// timing both. Sharing halves the weights each core reads but adds two hand-offs between the
    /// cores, and on this VM that trade changes from one process to the next. For the cheetah
    /// policy (instrumented build, 2026-11-22) a shared call took 2.3–2.6 µs where the worker
    /// started 160–200 ns after the call was posted; 4.5 µs where it started 700 ns after; and
    /// 3.5 µs where it started at once but both parts took 3 µs instead of 1.9, as if the two threads
    /// shared one core. One core alone took 2.9–3.8 µs. So every <see cref="ProbeEvery"/> calls
    /// it times <see cref="ProbeRuns"/> runs of <see cref="ProbeRun"/> calls of each kind, in turn,
    /// and keeps the kind whose lower median run (the fourth fastest of eight) was the faster: up to
    /// four runs that a preemption or the worker's wake-up slowed do not decide. A tie goes to the
    /// caller alone, which leaves the other core free. The outputs' bits are the same either way.
    /// </summary>
    internal sealed class TwoOrOne
    {
        /// <summary>Calls per timed run.</summary>
        internal const int ProbeRun = 16;
        /// <summary>Timed runs of each kind per probe.</summary>
        internal const int ProbeRuns = 8;
        /// <summary>Calls between probes (about 20 ms of calls): a probe costs at most 128 calls of the slower kind.</summary>
        internal const int ProbeEvery = 8192;

        private readonly long[] _shared = new long[ProbeRuns], _alone = new long[ProbeRuns];
        private int _untilProbe;                     // calls before the next probe; 0 while probing (the first calls probe)
        private int _probeCall;                      // calls into the probe under way
        private long _runTicks;                      // the timed run's calls so far
        private bool _pinned;

        /// <summary>The kind the last probe chose: shared (true, until a probe has run) or alone.</summary>
        public bool Shares { get; private set; } = true;

        /// <summary>Whether the next call is timed, its kind given by <see cref="ProbeShares"/>.</summary>
        public bool Probing => _untilProbe == 0 && !_pinned;

        /// <summary>The kind of the probing call under way: runs of each kind in turn, shared first.</summary>
        public bool ProbeShares => _probeCall / ProbeRun % 2 == 0;

        /// <summary>Calls counted so far (<see cref="Counted"/> and <see cref="Took"/>), and how many of them were shared.</summary>
        public long Calls { get; private set; }

        /// <inheritdoc cref="Calls"/>
        public long SharedCalls { get; private set; }

        /// <summary>Counts a call made outside a probe.</summary>
        public void Counted()
        {
            Calls++;
            if (Shares) SharedCalls++;
            if (!_pinned) _untilProbe--;
        }

        /// <summary>Records a probing call's duration; the last call of the probe decides <see cref="Shares"/>.</summary>
        public void Took(long ticks)
        {
            Calls++;
            if (ProbeShares) SharedCalls++;
            _runTicks += ticks;
            _probeCall++;
            if (_probeCall % ProbeRun != 0) return;
            int run = _probeCall / ProbeRun - 1;
            (run % 2 == 0 ? _shared : _alone)[run / 2] = _runTicks;
            _runTicks = 0;
            if (_probeCall < 2 * ProbeRun * ProbeRuns) return;
            Array.Sort(_shared);
            Array.Sort(_alone);
            Shares = _shared[ProbeRuns / 2 - 1] < _alone[ProbeRuns / 2 - 1];
            _probeCall = 0;
            _untilProbe = ProbeEvery;
        }

        /// <summary>Fixes the kind and stops probing (tests of one path).</summary>
        internal void Pin(bool shares) => (Shares, _pinned) = (shares, true);
    }

    /// <summary>Runs the network on <paramref name="input"/> and copies the outputs into <paramref name="output"/>.</summary>
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        var result = Run(input);
        if (output.Length != result.Length)
            throw new ArgumentException($"Expected an output span of {result.Length} values ({result.Length / OutputSize} rows of {OutputSize}); got {output.Length}.", nameof(output));
        result.CopyTo(output);
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _rowCapacity) return;
        _front = new float[rows * _maxWidth];
        _back = new float[rows * _maxWidth];
        _rowCapacity = rows;
    }

    /// <summary>One layer over a batch of rows.</summary>
    private abstract class Step
    {
        /// <summary>Element-wise steps write over their input; the others into the other buffer.</summary>
        public abstract bool InPlace { get; }

        /// <summary>Row width of the output (for element-wise steps, unused).</summary>
        public virtual int OutputWidth => 0;

        public abstract void Apply(ReadOnlySpan<float> x, Span<float> y);
    }

    /// <summary>y = x·Wᵀ + b with the kernels of <see cref="Linear.Forward(Tensor)"/>: one GEMM, then the bias per row.</summary>
    private sealed class LinearStep(Linear layer) : Step
    {
        public Linear Layer => layer;
        public override bool InPlace => false;
        public override int OutputWidth => layer.OutFeatures;

        public override void Apply(ReadOnlySpan<float> x, Span<float> y)
        {
            int n = layer.OutFeatures, rows = y.Length / n;
            Gemm.Multiply(x, layer.Weight.Span, y, rows, n, layer.InFeatures, transA: false, transB: true);
            if (layer.Bias is null) return;
            AddKernel.ToRows(y, layer.Bias.Span);
        }

        /// <summary>
        /// Outputs [<paramref name="start"/>, start + y.Length) of one row. The single-row product
        /// computes each output on its own, so these are the bits <see cref="Apply"/> gives them.
        /// </summary>
        public void ApplyColumns(ReadOnlySpan<float> x, Span<float> y, int start)
        {
            int k = layer.InFeatures;
            Gemm.Multiply(x, layer.Weight.Span.Slice(start * k, y.Length * k), y, 1, y.Length, k, transA: false, transB: true);
            if (layer.Bias is null) return;
            AddKernel.ToRows(y, layer.Bias.Span.Slice(start, y.Length));
        }
    }

    /// <summary>
    /// GELU as <see cref="Tensor.Gelu"/> composes it, ½x·(1 + erf(x·(1/√2))), op by op with the same
    /// kernels and operand order over the whole batch, into a scratch buffer the step keeps.
    /// </summary>
    private sealed class GeluStep : Step
    {
        private float[] _erf = [];

        public override bool InPlace => true;

        public override void Apply(ReadOnlySpan<float> x, Span<float> y)
        {
            if (_erf.Length < x.Length) _erf = new float[x.Length];
            var t = _erf.AsSpan(0, x.Length);
            MultiplyKernel.Apply(x, 1f / MathF.Sqrt(2f), t);                   // x · (1/√2)
            ErfKernel.Apply(t, t);
            AddKernel.Apply(1f, t, t);                                          // 1 + erf(…)
            MultiplyKernel.Apply(0.5f, x, y);                                   // ½ · x (y may be x: element-wise)
            MultiplyKernel.Apply(y, t, y);
        }
    }

    /// <summary>An element-wise activation over the whole batch at once, as the tensor op applies it.</summary>
    private abstract class ActivationStep : Step;

    private sealed class ActivationStep<TKernel> : ActivationStep where TKernel : struct, IUnaryKernel
    {
        public override bool InPlace => true;
        public override void Apply(ReadOnlySpan<float> x, Span<float> y) => TKernel.Apply(x, y);
    }
}
