using System.Runtime.ExceptionServices;

namespace Apprentice.Tensors.Kernels;

/// <summary>
/// Work cut into a fixed number of parts that may run on different threads. Part t of n always
/// covers the same outputs, computed the same way, so the result does not depend on which thread
/// ran which part, or on whether they ran at once.
/// </summary>
/// <remarks>Callers keep one instance per calling thread and refill its fields per call, so handing
/// work to the pool allocates nothing (a lambda would allocate its closure on every call).</remarks>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    void Run(int part, int parts);
}

/// <summary>
/// Threads kept for the engine's multi-threaded kernels (GEMM above its size threshold, the
/// convolution's batch split): started once, woken per call, so a training step that splits its
/// products over cores allocates nothing, where <see cref="Parallel.For(int, int, Action{int})"/>
/// allocated a few kilobytes per call.
/// </summary>
/// <remarks>
/// One caller at a time uses the workers; a call that finds them busy (another thread's product,
/// or a kernel called from inside a part) runs its parts one after another on its own thread, with
/// the same results. Part 0 always runs on the caller.
/// </remarks>
internal static class WorkerPool
{
    // Spin this many rounds before sleeping: in a training loop the next product comes within
    // microseconds, and waking a sleeping thread costs more than a small product's half.
    private const int SpinCount = 2047;
    private static int s_busy;                       // 1 while a caller has the workers (not a lock: a part that calls Run again must not get them)
    private static readonly ManualResetEventSlim s_done = new(false, SpinCount);
    private static Worker[]? s_workers;
    private static int s_remaining;
    private static ExceptionDispatchInfo? s_error;

    /// <summary>Runs <paramref name="work"/>'s parts 0 … <paramref name="parts"/> − 1 and returns when all have finished.</summary>
    /// <exception cref="Exception">Whatever a part threw (the first, if several did).</exception>
    public static void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            Exception? first = null;
            RunParts(work, 0, parts, parts, ref first);
            if (first is not null) ExceptionDispatchInfo.Throw(first);
            return;
        }
        try
        {
            var workers = s_workers ??= StartWorkers(Math.Max(1, Gemm.MaxThreads - 1));
            int helpers = Math.Min(parts - 1, workers.Length);
            s_error = null;
            s_done.Reset();
            Volatile.Write(ref s_remaining, helpers);
            for (int i = 0; i < helpers; i++) workers[i].Start(work, i + 1, parts);
            Exception? own = null;
            RunParts(work, 0, 1, parts, ref own);
            RunParts(work, helpers + 1, parts, parts, ref own);              // more parts than workers (a test's thread count)
            // A part no worker has started yet (its core is busy with another process) is run
            // here rather than waited for: on a loaded machine the split degrades to one thread
            // instead of two threads taking turns on one core.
            for (int i = 0; i < helpers; i++)
                if (workers[i].TryTakeBack() is int part)
                {
                    RunParts(work, part, part + 1, parts, ref own);
                    if (Interlocked.Decrement(ref s_remaining) == 0) s_done.Set();   // counted even if it threw: nobody else will run it
                }
            if (helpers > 0) s_done.Wait();                                     // the workers hold references into the caller's buffers
            if (own is not null) ExceptionDispatchInfo.Throw(own);
            s_error?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Runs parts [<paramref name="from"/>, <paramref name="to"/>) in order. A part that throws does
    /// not stop the rest: every part runs exactly once whichever thread ends up with it, and the
    /// first exception is kept for the caller.
    /// </summary>
    private static void RunParts(IParallelWork work, int from, int to, int parts, ref Exception? first)
    {
        for (int t = from; t < to; t++)
        {
            try
            {
                work.Run(t, parts);
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
    }

    private static Worker[] StartWorkers(int count)
    {
        var workers = new Worker[count];
        for (int i = 0; i < count; i++) workers[i] = new Worker(i);
        return workers;
    }

    private sealed class Worker
    {
        private const int Posted = 0, Running = 1, TakenBack = 2;
        private readonly ManualResetEventSlim _go = new(false, SpinCount);
        private IParallelWork? _work;
        private int _part, _parts;
        private int _state = TakenBack;                // who owns the posted part: nobody yet, this worker, or the caller

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Apprentice worker {index + 1}" };
            thread.Start();
        }

        public void Start(IParallelWork work, int part, int parts)
        {
            (_work, _part, _parts) = (work, part, parts);
            Volatile.Write(ref _state, Posted);        // after the fields: whoever claims the part sees them
            _go.Set();
        }

        /// <summary>The posted part, if this worker has not started it (then it never will).</summary>
        public int? TryTakeBack() => Interlocked.CompareExchange(ref _state, TakenBack, Posted) == Posted ? _part : null;

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                _go.Reset();
                if (Interlocked.CompareExchange(ref _state, Running, Posted) != Posted) continue;   // taken back, or a stale wake-up
                try
                {
                    _work!.Run(_part, _parts);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(e), null);
                }
                _work = null;
                if (Interlocked.Decrement(ref s_remaining) == 0) s_done.Set();
            }
        }
    }
}
