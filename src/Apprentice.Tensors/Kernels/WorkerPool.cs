using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics.X86;

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
    // How long a thread polls before it sleeps. In a training loop the next product comes within
    // microseconds and a one-observation forward pass lasts two, while waking a sleeping thread
    // costs tens: a worker polls for 200 µs after its part, a caller for 1 ms for the workers.
    private static readonly long s_workerPollTicks = Stopwatch.Frequency / 5000;
    private static readonly long s_callerPollTicks = Stopwatch.Frequency / 1000;
    private static int s_busy;                       // 1 while a caller has the workers (not a lock: a part that calls Run again must not get them)
    private static readonly ManualResetEventSlim s_done = new(false, 0);
    private static int s_callerSleeping;
    private static Worker[]? s_workers;
    private static int s_remaining;
    private static ExceptionDispatchInfo? s_error;

    /// <summary>Runs <paramref name="work"/>'s parts 0 … <paramref name="parts"/> − 1 and returns when all have finished.</summary>
    /// <returns>
    /// Whether the caller, done with its own part, found a worker still running: work that can move
    /// outputs between its parts (<see cref="Nn.InferencePlan"/>'s shared row) balances them by it.
    /// False when the parts all ran on the caller.
    /// </returns>
    /// <exception cref="Exception">Whatever a part threw (the first, if several did).</exception>
    public static bool Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            Exception? first = null;
            RunParts(work, 0, parts, parts, ref first);
            if (first is not null) ExceptionDispatchInfo.Throw(first);
            return false;
        }
        try
        {
            var workers = s_workers ??= StartWorkers(Math.Max(1, Gemm.MaxThreads - 1));
            int helpers = Math.Min(parts - 1, workers.Length);
            s_error = null;
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
                    Interlocked.Decrement(ref s_remaining);                   // counted even if it threw: nobody else will run it
                }
            bool waited = Volatile.Read(ref s_remaining) != 0;
            WaitFor(ref s_remaining, 0, ref s_callerSleeping, s_done, s_callerPollTicks);   // the workers hold references into the caller's buffers
            if (own is not null) ExceptionDispatchInfo.Throw(own);
            s_error?.Throw();
            return waited;
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

    /// <summary>
    /// Returns once <paramref name="field"/> holds <paramref name="target"/>. Polls it with single
    /// pause instructions (SpinWait's back-off grows to microseconds between looks, as long as a
    /// small part), offering the core to other threads every 64 looks, and after
    /// <paramref name="pollTicks"/> sleeps on <paramref name="wake"/>, which whoever changes the
    /// field sets through <see cref="WakeIfSleeping"/>.
    /// </summary>
    private static void WaitFor(ref int field, int target, ref int sleeping, ManualResetEventSlim wake, long pollTicks)
    {
        long deadline = 0;
        for (int i = 0; Volatile.Read(ref field) != target; i++)
        {
            if (X86Base.IsSupported) X86Base.Pause();
            else Thread.SpinWait(1);
            if ((i & 63) != 63) continue;
            Thread.Yield();                          // a thread waiting for this core (another seed's run) gets it; otherwise back at once
            long now = Stopwatch.GetTimestamp();
            if (deadline == 0) deadline = now + pollTicks;
            else if (now > deadline)
            {
                // Announce the sleep with a full fence, then look once more: a writer either saw
                // the announcement (and sets the event) or wrote before this look.
                Interlocked.Exchange(ref sleeping, 1);
                if (Volatile.Read(ref field) != target) wake.Wait();
                wake.Reset();
                Volatile.Write(ref sleeping, 0);
                deadline = 0;
            }
        }
    }

    /// <summary>Call after a fenced (interlocked) write of the field a thread may be sleeping on.</summary>
    private static void WakeIfSleeping(ref int sleeping, ManualResetEventSlim wake)
    {
        if (Volatile.Read(ref sleeping) != 0) wake.Set();
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
        private readonly ManualResetEventSlim _go = new(false, 0);
        private IParallelWork? _work;
        private int _part, _parts;
        private int _state = TakenBack;                // who owns the posted part: nobody yet, this worker, or the caller
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Apprentice worker {index + 1}" };
            thread.Start();
        }

        public void Start(IParallelWork work, int part, int parts)
        {
            (_work, _part, _parts) = (work, part, parts);
            Interlocked.Exchange(ref _state, Posted);  // after the fields: whoever claims the part sees them
            WakeIfSleeping(ref _sleeping, _go);
        }

        /// <summary>The posted part, if this worker has not started it (then it never will).</summary>
        public int? TryTakeBack() => Interlocked.CompareExchange(ref _state, TakenBack, Posted) == Posted ? _part : null;

        private void Loop()
        {
            while (true)
            {
                WaitFor(ref _state, Posted, ref _sleeping, _go, s_workerPollTicks);
                if (Interlocked.CompareExchange(ref _state, Running, Posted) != Posted) continue;   // taken back meanwhile
                try
                {
                    _work!.Run(_part, _parts);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(e), null);
                }
                _work = null;
                if (Interlocked.Decrement(ref s_remaining) == 0) WakeIfSleeping(ref s_callerSleeping, s_done);
            }
        }
    }
}
