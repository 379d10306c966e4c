using Apprentice.Tensors.Kernels;

namespace Apprentice.Tensors.Tests.Kernels;

public class WorkerPoolTests
{
    private sealed class Record : IParallelWork
    {
        public int[] Runs = [];
        public int[] Threads = [];
        public int FailPart = -1;

        public void Run(int part, int parts)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
            if (part == FailPart) throw new InvalidOperationException($"part {part} failed");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]      // more parts than a 2-core machine has workers: the caller runs the rest
    [InlineData(5)]
    public void EveryPartRunsExactlyOnceAndPartZeroOnTheCaller(int parts)
    {
        for (int call = 0; call < 50; call++)
        {
            var work = new Record { Runs = new int[parts], Threads = new int[parts] };
            WorkerPool.Run(work, parts);
            Assert.All(work.Runs, n => Assert.Equal(1, n));
            Assert.Equal(Environment.CurrentManagedThreadId, work.Threads[0]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void APartsExceptionReachesTheCallerAfterEveryPartHasFinished(int failPart)
    {
        // Many times: whether the worker or the caller (taking back a part the worker had not
        // started) runs the failing part, the call must end, with that exception, every part run once.
        // On a thread of its own, so that a lost part fails the test instead of hanging it.
        Exception? failure = null;
        var caller = new Thread(() =>
        {
            try
            {
                for (int call = 0; call < 500; call++)
                {
                    var work = new Record { Runs = new int[2], Threads = new int[2], FailPart = failPart };
                    var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(work, 2));
                    Assert.Equal($"part {failPart} failed", e.Message);
                    Assert.All(work.Runs, n => Assert.Equal(1, n));
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true };
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(60)), "a call never returned: a part was lost");
        Assert.Null(failure);
        var next = new Record { Runs = new int[2], Threads = new int[2] };   // the pool still works
        WorkerPool.Run(next, 2);
        Assert.All(next.Runs, n => Assert.Equal(1, n));
    }

    private sealed class NestedFailing : IParallelWork
    {
        public Record Inner = new() { Runs = new int[3], Threads = new int[3], FailPart = 0 };
        public Exception? Seen;

        public void Run(int part, int parts)
        {
            if (part != 0) return;
            try
            {
                WorkerPool.Run(Inner, 3);      // the pool is this call's own: the inner call runs its parts in turn
            }
            catch (InvalidOperationException e)
            {
                Seen = e;
            }
        }
    }

    [Fact]
    public void AFailingPartDoesNotStopTheOthersWhenThePoolIsBusy()
    {
        // CI found this: a test class's GEMM held the pool, the call ran its parts in turn, and
        // part 0's exception skipped part 1.
        var work = new NestedFailing();
        WorkerPool.Run(work, 2);
        Assert.Equal("part 0 failed", work.Seen?.Message);
        Assert.All(work.Inner.Runs, n => Assert.Equal(1, n));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AFailingPartDoesNotStopTheOthersWhenThereAreMorePartsThanWorkers(int failPart)
    {
        for (int call = 0; call < 50; call++)
        {
            var work = new Record { Runs = new int[4], Threads = new int[4], FailPart = failPart };
            var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(work, 4));
            Assert.Equal($"part {failPart} failed", e.Message);
            Assert.All(work.Runs, n => Assert.Equal(1, n));
        }
    }

    private sealed class Nested : IParallelWork
    {
        public Record[] Inner = [new() { Runs = new int[2], Threads = new int[2] }, new() { Runs = new int[2], Threads = new int[2] }];

        public void Run(int part, int parts) => WorkerPool.Run(Inner[part], 2);
    }

    [Fact]
    public void APartThatSplitsItsOwnWorkRunsItOnItsThread()
    {
        var work = new Nested();
        WorkerPool.Run(work, 2);
        Assert.All(work.Inner, inner => Assert.All(inner.Runs, n => Assert.Equal(1, n)));
        Assert.All(work.Inner, inner => Assert.Equal(inner.Threads[0], inner.Threads[1]));
    }

    [Fact]
    public void CallersOnSeveralThreadsAtOnceAllFinish()
    {
        // Whoever finds the workers busy runs its parts itself; nothing waits on anything else.
        var totals = new int[4];
        var callers = Enumerable.Range(0, 4).Select(c => new Thread(() =>
        {
            for (int call = 0; call < 200; call++)
            {
                var work = new Record { Runs = new int[3], Threads = new int[3] };
                WorkerPool.Run(work, 3);
                totals[c] += work.Runs.Sum();
            }
        })).ToList();
        callers.ForEach(t => t.Start());
        Assert.All(callers, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        Assert.All(totals, total => Assert.Equal(600, total));
    }

    [Fact]
    public void EveryPartRunsOnceWhenTheWorkersAreSlowToStart()
    {
        // Busy threads keep the cores taken, so a worker often has not started its part when the
        // caller finishes its own; the caller then runs it, and the worker must not run it again.
        using var stop = new CancellationTokenSource();
        var hogs = Enumerable.Range(0, 2).Select(_ => new Thread(() => { while (!stop.IsCancellationRequested) { } }) { IsBackground = true }).ToList();
        hogs.ForEach(t => t.Start());
        try
        {
            for (int call = 0; call < 2000; call++)
            {
                var work = new Record { Runs = new int[2], Threads = new int[2] };
                WorkerPool.Run(work, 2);
                Assert.All(work.Runs, n => Assert.Equal(1, n));
            }
        }
        finally
        {
            stop.Cancel();
            hogs.ForEach(t => t.Join());
        }
    }

    private sealed class SlowSecondPart : IParallelWork
    {
        public int[] Runs = new int[2];

        public void Run(int part, int parts)
        {
            if (part == 1) Thread.Sleep(5);          // longer than the caller polls: it sleeps, and the worker must wake it
            Interlocked.Increment(ref Runs[part]);
        }
    }

    private sealed class OneSlowPart(int slowPart) : IParallelWork
    {
        public int CallerThread = Environment.CurrentManagedThreadId;
        public bool SecondPartOnWorker;

        public void Run(int part, int parts)
        {
            if (part == 1) SecondPartOnWorker = Environment.CurrentManagedThreadId != CallerThread;
            if (part == slowPart) Thread.Sleep(30);
        }
    }

    [Fact]
    public void RunTellsWhetherTheCallerWaitedForAWorker()
    {
        Assert.False(WorkerPool.Run(new OneSlowPart(0), 1));           // one part: nothing to wait for
        for (int call = 0; call < 5; call++)
        {
            // The worker's part is the slow one: the caller finishes first and waits, unless it took
            // the part back before the worker started it (then nobody was waited for).
            var slowWorker = new OneSlowPart(1);
            bool waited = WorkerPool.Run(slowWorker, 2);
            Assert.Equal(slowWorker.SecondPartOnWorker, waited);
            // The caller's part is the slow one: the worker is long done when the caller looks.
            Assert.False(WorkerPool.Run(new OneSlowPart(0), 2));
        }
    }

    [Fact]
    public void SleepingThreadsAreWokenOnBothSides()
    {
        for (int call = 0; call < 20; call++)
        {
            Thread.Sleep(2);                         // longer than a worker polls: it sleeps, and posting must wake it
            var work = new Record { Runs = new int[2], Threads = new int[2] };
            WorkerPool.Run(work, 2);
            Assert.All(work.Runs, n => Assert.Equal(1, n));
            var slow = new SlowSecondPart();
            WorkerPool.Run(slow, 2);
            Assert.All(slow.Runs, n => Assert.Equal(1, n));
        }
    }

    [Fact]
    public void HandingWorkToThePoolAllocatesNothingOnTheCaller()
    {
        var work = new Record { Runs = new int[2], Threads = new int[2] };
        for (int i = 0; i < 20; i++) WorkerPool.Run(work, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) WorkerPool.Run(work, 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.All(work.Runs, n => Assert.Equal(120, n));
    }
}
