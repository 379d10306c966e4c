using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Nn;

public class InferencePlanTests
{
    private static Sequential Network(Rng rng) => new(
        new Linear(5, 16, rng), new ReLU(),
        new Sequential(new Linear(16, 9, rng), new Tanh(), new Identity()),
        new Linear(9, 7, rng, bias: false), new Sigmoid(),
        new Linear(7, 3, rng), new Softplus(), new GELU(),
        new Linear(3, 1, rng));                                           // a single output: the bias is added as a scalar

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void RunEqualsNoGradForwardBitForBit(int rows)
    {
        var rng = new Rng(rows);
        var model = Network(rng);
        var plan = InferencePlan.Create(model, 5);
        Assert.Equal((5, 1), (plan.InputSize, plan.OutputSize));
        var x = Tensor.Normal(rng, 0f, 2f, rows, 5);
        float[] expected;
        using (Tensor.NoGrad()) expected = model.Forward(x).ToArray();
        Assert.Equal(expected, plan.Run(x.Span).ToArray());
        var output = new float[rows];
        plan.Run(x.Span, output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void ActivationFirstDoesNotOverwriteTheInput()
    {
        var plan = InferencePlan.Create(new Sequential(new ReLU(), new Linear(2, 2, new Rng(0))), 2);
        float[] input = [-1f, 2f];
        plan.Run(input);
        Assert.Equal([-1f, 2f], input);
    }

    [Fact]
    public void ReadsTheCurrentParametersAtEachCall()
    {
        var model = Network(new Rng(3));
        var plan = InferencePlan.Create(model, 5);
        float[] x = [0.5f, -1f, 2f, 0f, 1f];
        float before = plan.Run(x)[0];
        ((Linear)model[^1]).Bias!.AsSpan()[0] += 1f;                      // as an optimiser step or a loaded checkpoint does, in place
        float after = plan.Run(x)[0];
        Assert.NotEqual(before, after);
        using (Tensor.NoGrad()) Assert.Equal(model.Forward(Tensor.FromArray(x, 1, 5)).Item(), after);
    }

    [Fact]
    public void RepeatedCallsAllocateNothing()
    {
        var rng = new Rng(4);
        var model = Mlp.Create([17, 64, 64, 6], () => new ReLU(), rng);
        var plan = InferencePlan.Create(model, 17);
        var x = Tensor.Normal(rng, 0f, 1f, 1, 17).ToArray();
        var output = new float[6];
        Assert.Equal(0, AllocatedPerWindow(() => plan.Run(x, output)));
    }

    // A MuJoCo policy's shape: its 256×256 layer is large enough for one row to be shared
    // between two cores (each computes the first layer and half of the second).
    public static TheoryData<string> SplitNetworks => ["tanh", "relu after tanh", "no activation", "large first layer", "gelu first"];

    private static Sequential SplitNetwork(string kind, Rng rng) => kind switch
    {
        "tanh" => new(new Linear(17, 256, rng), new Tanh(), new Linear(256, 256, rng), new Tanh(), new Linear(256, 6, rng)),
        "relu after tanh" => new(new Linear(17, 256, rng), new ReLU(), new Linear(256, 256, rng), new Tanh(), new ReLU(), new Linear(256, 6, rng), new Tanh()),
        "no activation" => new(new Linear(17, 256, rng), new Tanh(), new Linear(256, 256, rng, bias: false)),
        "large first layer" => new(new Linear(300, 128, rng), new Tanh(), new Linear(128, 6, rng)),
        "gelu first" => new(new Linear(17, 256, rng), new GELU(), new Linear(256, 256, rng), new Tanh(), new Linear(256, 6, rng)),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(SplitNetworks))]
    public void ARowSharedBetweenTwoCoresEqualsForwardBitForBit(string kind)
    {
        var rng = new Rng(kind.Length);
        var model = SplitNetwork(kind, rng);
        int inputs = ((Linear)model[0]).InFeatures;
        var plan = InferencePlan.Create(model, inputs);
        // Shared when the engine has two threads, except behind a GELU (its scratch buffer is the plan's).
        Assert.Equal(Apprentice.Tensors.Kernels.Gemm.MaxThreads >= 2 && kind != "gelu first", plan.SharesSingleRows);
        plan.SharedRow?.Choice.Pin(shares: true);                      // every call shared, whatever timing would choose
        for (int call = 0; call < 200; call++)
        {
            var x = Tensor.Normal(rng, 0f, 1f, 1, inputs);
            float[] expected;
            using (Tensor.NoGrad()) expected = model.Forward(x).ToArray();
            Assert.Equal(expected, plan.Run(x.Span).ToArray());
            if (plan.SharedRow is { } row) Assert.Equal(expected, row.RunAlone(x.Span).ToArray());
        }
        var batch = Tensor.Normal(rng, 0f, 1f, 3, inputs);                  // several rows take the ordinary path
        using (Tensor.NoGrad()) Assert.Equal(model.Forward(batch).ToArray(), plan.Run(batch.Span).ToArray());
    }

    [Fact]
    public void WhereverTheSharedLayerIsCutTheRowEqualsForwardBitForBit()
    {
        if (Apprentice.Tensors.Kernels.Gemm.MaxThreads < 2) return;   // nothing is shared on one thread
        foreach (var kind in new[] { "tanh", "relu after tanh", "large first layer" })
        {
            var rng = new Rng(40 + kind.Length);
            var model = SplitNetwork(kind, rng);
            int inputs = ((Linear)model[0]).InFeatures;
            var plan = InferencePlan.Create(model, inputs);
            var row = plan.SharedRow!;
            row.Choice.Pin(shares: true);
            int middle = row.Boundary, step = InferencePlan.SplitRow.BalanceStep;
            while (Push(row, callerWaited: false)) { }                   // down to the lowest cut
            var seen = new List<int>();
            while (true)
            {
                int boundary = row.Boundary;
                seen.Add(boundary);
                for (int call = 0; call < 3; call++)                     // fewer calls than it takes to move the cut
                {
                    var x = Tensor.Normal(rng, 0f, 1f, 1, inputs);
                    float[] expected;
                    using (Tensor.NoGrad()) expected = model.Forward(x).ToArray();
                    Assert.Equal(expected, plan.Run(x.Span).ToArray());
                    Assert.Equal(boundary, row.Boundary);
                }
                if (!Push(row, callerWaited: true)) break;
            }
            // Seven cuts, 16 outputs apart, centred on the middle; each part keeps at least 16 outputs.
            Assert.Equal(Enumerable.Range(-3, 7).Select(s => middle + s * step), seen);
        }
    }

    // Counts calls of one kind until the cut moves (whatever the real calls counted before); false if it cannot move further.
    private static bool Push(InferencePlan.SplitRow row, bool callerWaited)
    {
        int before = row.Boundary;
        for (int i = 0; i < 3 * InferencePlan.SplitRow.BalanceVotes && row.Boundary == before; i++) row.Balance(callerWaited);
        return row.Boundary != before;
    }

    [Fact]
    public void TheCutMovesOnlyAfterOnePartHasFinishedLastOnEnoughMoreCalls()
    {
        if (Apprentice.Tensors.Kernels.Gemm.MaxThreads < 2) return;
        var plan = InferencePlan.Create(SplitNetwork("tanh", new Rng(7)), 17);
        var row = plan.SharedRow!;
        int middle = row.Boundary, votes = InferencePlan.SplitRow.BalanceVotes;
        Assert.Equal(128, middle);
        for (int i = 0; i < 10 * votes; i++) row.Balance(callerWaited: i % 2 == 0);   // evenly matched: stays
        Assert.Equal(middle, row.Boundary);
        for (int i = 0; i < votes - 1; i++) row.Balance(callerWaited: true);
        Assert.Equal(middle, row.Boundary);
        row.Balance(callerWaited: true);                                 // the caller kept waiting: it takes one step more
        Assert.Equal(middle + 16, row.Boundary);
        for (int i = 0; i < votes; i++) row.Balance(callerWaited: false);
        Assert.Equal(middle, row.Boundary);
    }

    // Feeds a probe's calls, each shared call taking sharedTicks and each alone call aloneTicks,
    // except the calls listed in slowCalls (a preemption), which take a million ticks.
    private static void Probe(InferencePlan.TwoOrOne choice, long sharedTicks, long aloneTicks, params int[] slowCalls)
    {
        Assert.True(choice.Probing);
        int calls = 2 * InferencePlan.TwoOrOne.ProbeRun * InferencePlan.TwoOrOne.ProbeRuns;
        for (int call = 0; call < calls; call++)
        {
            Assert.True(choice.Probing);
            Assert.Equal(call / InferencePlan.TwoOrOne.ProbeRun % 2 == 0, choice.ProbeShares);   // runs of each kind in turn, shared first
            choice.Took(slowCalls.Contains(call) ? 1_000_000 : choice.ProbeShares ? sharedTicks : aloneTicks);
        }
        Assert.False(choice.Probing);
    }

    [Fact]
    public void TheFasterKindOfCallIsKeptUntilTheNextProbe()
    {
        var choice = new InferencePlan.TwoOrOne();
        Assert.True(choice.Shares);                                      // shared until timing says otherwise
        Probe(choice, sharedTicks: 30, aloneTicks: 20);
        Assert.False(choice.Shares);
        int probeCalls = 2 * InferencePlan.TwoOrOne.ProbeRun * InferencePlan.TwoOrOne.ProbeRuns;
        Assert.Equal((probeCalls, probeCalls / 2), (choice.Calls, choice.SharedCalls));
        for (int call = 0; call < InferencePlan.TwoOrOne.ProbeEvery; call++)
        {
            Assert.False(choice.Probing);
            choice.Counted();
        }
        Assert.Equal((probeCalls + InferencePlan.TwoOrOne.ProbeEvery, probeCalls / 2), (choice.Calls, choice.SharedCalls));
        Probe(choice, sharedTicks: 20, aloneTicks: 30);
        Assert.True(choice.Shares);
        for (int call = 0; call < InferencePlan.TwoOrOne.ProbeEvery; call++) choice.Counted();
        Probe(choice, sharedTicks: 25, aloneTicks: 25);                  // a tie: alone, which leaves the other core free
        Assert.False(choice.Shares);
    }

    [Fact]
    public void AFewSlowCallsInAProbeDoNotDecideIt()
    {
        var choice = new InferencePlan.TwoOrOne();
        int run = InferencePlan.TwoOrOne.ProbeRun;
        // Shared is faster, but three of its eight runs each hold a call a million ticks long.
        Probe(choice, sharedTicks: 20, aloneTicks: 30, slowCalls: [0, 2 * run + 5, 4 * run + 15]);
        Assert.True(choice.Shares);
        for (int call = 0; call < InferencePlan.TwoOrOne.ProbeEvery; call++) choice.Counted();
        // Alone is faster, but three of its runs were slowed.
        Probe(choice, sharedTicks: 30, aloneTicks: 20, slowCalls: [run, 3 * run + 1, 5 * run + 2]);
        Assert.False(choice.Shares);
    }

    [Fact]
    public void APinnedChoiceNeverProbes()
    {
        var choice = new InferencePlan.TwoOrOne();
        choice.Pin(shares: false);
        for (int call = 0; call < 2 * InferencePlan.TwoOrOne.ProbeEvery; call++)
        {
            Assert.False(choice.Probing);
            choice.Counted();
        }
        Assert.False(choice.Shares);
    }

    // One plan per part of an outer pool call: inside it the pool is taken, so each plan's call runs
    // its two parts in turn on its own thread, as when the caller takes back a part its worker has
    // not started. Part 1 then reuses the layers part 0 computed before the split.
    private sealed class PlansInTurn(InferencePlan[] plans, float[][][] inputs, float[][][] expected) : Apprentice.Tensors.Kernels.IParallelWork
    {
        public readonly int[] Mismatches = new int[plans.Length];

        public void Run(int part, int parts)
        {
            for (int call = 0; call < inputs[part].Length; call++)
                if (!plans[part].Run(inputs[part][call]).SequenceEqual(expected[part][call])) Mismatches[part]++;
        }
    }

    [Fact]
    public void ARowWhosePartsRunInTurnOnOneThreadEqualsForwardBitForBit()
    {
        if (Apprentice.Tensors.Kernels.Gemm.MaxThreads < 2) return;   // nothing is shared on one thread
        var rng = new Rng(77);
        string[] kinds = ["tanh", "relu after tanh"];
        var plans = new InferencePlan[kinds.Length];
        var inputs = new float[kinds.Length][][];
        var expected = new float[kinds.Length][][];
        for (int k = 0; k < kinds.Length; k++)
        {
            var model = SplitNetwork(kinds[k], rng);
            plans[k] = InferencePlan.Create(model, 17);
            plans[k].SharedRow!.Choice.Pin(shares: true);
            inputs[k] = new float[100][];
            expected[k] = new float[100][];
            for (int call = 0; call < 100; call++)
            {
                var x = Tensor.Normal(rng, 0f, 1f, 1, 17);               // a new row each call: a stale reuse would show
                inputs[k][call] = x.ToArray();
                using (Tensor.NoGrad()) expected[k][call] = model.Forward(x).ToArray();
            }
        }
        var work = new PlansInTurn(plans, inputs, expected);
        Apprentice.Tensors.Kernels.WorkerPool.Run(work, kinds.Length);
        Assert.Equal(new int[kinds.Length], work.Mismatches);
    }

    [Fact]
    public void ASharedRowAllocatesNothing()
    {
        var rng = new Rng(6);
        var model = SplitNetwork("tanh", rng);
        var plan = InferencePlan.Create(model, 17);
        var x = Tensor.Normal(rng, 0f, 1f, 1, 17).ToArray();
        var output = new float[6];
        Assert.Equal(0, AllocatedPerWindow(() => plan.Run(x, output)));
    }

    /// <summary>
    /// Bytes allocated on this thread by 100 calls after 50 warm-up calls (buffers sized, methods
    /// compiled); the least of three windows, so that a one-off runtime allocation (the JIT
    /// installing an optimised method) is not mistaken for one per call, which every window would show.
    /// </summary>
    internal static long AllocatedPerWindow(Action call)
    {
        for (int i = 0; i < 50; i++) call();
        long least = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    [Fact]
    public void UnsupportedLayersAndBadShapesAreNamed()
    {
        var rng = new Rng(5);
        var withDropout = new Sequential(new Linear(2, 2, rng), new Dropout(0.5f, rng));
        Assert.False(InferencePlan.TryCreate(withDropout, 2, out var none, out var problem));
        Assert.Null(none);
        Assert.Contains("Dropout", problem);
        Assert.Throws<NotSupportedException>(() => InferencePlan.Create(withDropout, 2));
        var mismatch = Assert.Throws<NotSupportedException>(() => InferencePlan.Create(new Linear(3, 2, rng), 4));
        Assert.Contains("4 features", mismatch.Message);
        var plan = InferencePlan.Create(new Linear(3, 2, rng), 3);
        Assert.Throws<ArgumentException>(() => plan.Run(new float[4]));
        Assert.Throws<ArgumentException>(() => plan.Run(new float[3], new float[3]));
        var square = InferencePlan.Create(new Linear(3, 3, rng), 3);
        var first = square.Run(new float[] { 1f, 2f, 3f }).ToArray();
        Assert.Throws<ArgumentException>(() => { _ = square.Run(square.Run(first)); });   // its own output as input
    }
}
