using System.Diagnostics;
using Apprentice.Benchmarks.Timing;
using Apprentice.Benchmarks.Workloads;
using Apprentice.Tensors.Nn;

namespace Apprentice.Benchmarks.Modes;

/// <summary>
/// <c>breakdown --threads N [--cases …] [--seconds 2]</c>: where a BC training step's time goes.
/// Times each phase of <see cref="TrainCase.Step"/> (zero-grad, forward + loss, backward, Adam)
/// with bytes allocated on the calling thread, then replays, on their own, the GEMMs the engine
/// issues for the step (derived from the layers: forward, and both products of each backward
/// except the first layer's input gradient, which the engine skips because the data needs none)
/// to estimate the GEMM share; the rest is element-wise ops, copies, graph and allocation overhead.
/// </summary>
internal static class Breakdown
{
    private static readonly string[] s_options = ["--threads", "--cases", "--seconds"];
    private static readonly string[] s_phases = ["zero_grad", "forward+loss", "backward", "adam"];

    public static int Run(string[] modeArgs, string[] fullArgs)
    {
        var args = new Args(modeArgs, s_options);
        int threads = args.Int("--threads", Environment.ProcessorCount);
        if (ThreadSetting.RelaunchUnlessSet(threads, fullArgs) is int exitCode) return exitCode;
        double seconds = args.Double("--seconds", 2);
        Console.WriteLine($"threads {threads}, load {JsonLines.LoadAverage()}; µs per step (allocated on the stepping thread per step)");
        foreach (var name in Catalog.Select(args.String("--cases") ?? "mlp,cnn"))
        {
            if (!Catalog.IsTrain(name)) continue;
            Report(Catalog.Train(name), seconds);
        }
        return 0;
    }

    private static void Report(TrainCase c, double seconds)
    {
        TimeLoop.Measure(c.Step, new TimingOptions { Reps = 1, RepSeconds = 0.1 });   // warm up until the JIT is done
        var ticks = new long[s_phases.Length];
        var bytes = new long[s_phases.Length];
        long steps = 0, start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds || steps < 5)
        {
            using var step = c.Arena.Step();                                          // as TrainCase.Step
            long t0 = Stopwatch.GetTimestamp(), b0 = GC.GetAllocatedBytesForCurrentThread();
            c.Optimizer.ZeroGrad();
            long t1 = Stopwatch.GetTimestamp(), b1 = GC.GetAllocatedBytesForCurrentThread();
            var loss = c.ForwardLoss(c.NextBatch());
            long t2 = Stopwatch.GetTimestamp(), b2 = GC.GetAllocatedBytesForCurrentThread();
            loss.Backward();
            long t3 = Stopwatch.GetTimestamp(), b3 = GC.GetAllocatedBytesForCurrentThread();
            c.Optimizer.Step();
            long t4 = Stopwatch.GetTimestamp(), b4 = GC.GetAllocatedBytesForCurrentThread();
            ticks[0] += t1 - t0; ticks[1] += t2 - t1; ticks[2] += t3 - t2; ticks[3] += t4 - t3;
            bytes[0] += b1 - b0; bytes[1] += b2 - b1; bytes[2] += b3 - b2; bytes[3] += b4 - b3;
            steps++;
        }
        double total = ticks.Sum() * 1e6 / Stopwatch.Frequency / steps;
        Console.WriteLine();
        Console.WriteLine($"{c.Name}: {total:F1} µs/step over {steps} steps");
        for (int p = 0; p < s_phases.Length; p++)
        {
            double us = ticks[p] * 1e6 / Stopwatch.Frequency / steps;
            Console.WriteLine($"  {s_phases[p],-14}{us,10:F1} µs {100 * us / total,6:F1}%   {bytes[p] / (double)steps / 1024,10:F1} KB");
        }

        var timing = new TimingOptions { Reps = 3, RepSeconds = 0.1, WarmupSeconds = 0.05, JitQuietSeconds = 0.2, MinWarmupCalls = 3 };
        double gemmTotal = 0;
        foreach (var (role, shape) in GemmCalls(c))
        {
            var problem = new GemmProblem(shape);
            double us = 1e6 / TimeLoop.Measure(() => problem.Run(0), timing).Median;
            gemmTotal += us;
            Console.WriteLine($"    gemm {role,-26}{shape,-24}{us,10:F1} µs  {shape.Flops / us / 1e3,7:F1} GFLOP/s");
        }
        Console.WriteLine($"  GEMMs alone     {gemmTotal,10:F1} µs {100 * gemmTotal / total,6:F1}% of the step; other work ≈ {total - gemmTotal:F1} µs");
    }

    /// <summary>The products one step issues, layer by layer, as the engine's MatMul and Conv2d (wide im2col) compute them.</summary>
    private static List<(string Role, GemmShape Shape)> GemmCalls(TrainCase c)
    {
        var calls = new List<(string, GemmShape)>();
        int[] shape = [.. c.Input(0).Shape];
        var layers = c.Model is Sequential s ? Enumerable.Range(0, s.Count).Select(i => s[i]) : [c.Model];
        int index = 0;
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case Linear linear:
                {
                    int rows = shape[0], input = linear.InFeatures, output = linear.OutFeatures;
                    calls.Add(($"linear{index} forward", new GemmShape(rows, input, output, TransposeB: true)));
                    if (index > 0) calls.Add(($"linear{index} dX", new GemmShape(rows, output, input)));
                    calls.Add(($"linear{index} dW", new GemmShape(output, rows, input, TransposeA: true)));
                    shape = [rows, output];
                    index++;
                    break;
                }
                case Conv2d conv:
                {
                    int n = shape[0], k = conv.KernelSize;
                    int oh = (shape[2] + 2 * conv.Padding - k) / conv.Stride + 1, ow = (shape[3] + 2 * conv.Padding - k) / conv.Stride + 1;
                    int rows = n * oh * ow, patch = conv.InChannels * k * k;
                    // W[OC, C·k·k]·cols[C·k·k, N·L]: the batch's windows are the wide side.
                    calls.Add(($"conv{index} forward", new GemmShape(conv.OutChannels, patch, rows)));
                    if (index > 0) calls.Add(($"conv{index} dCols", new GemmShape(patch, conv.OutChannels, rows, TransposeA: true)));
                    calls.Add(($"conv{index} dW", new GemmShape(conv.OutChannels, rows, patch, TransposeB: true)));
                    shape = [n, conv.OutChannels, oh, ow];
                    index++;
                    break;
                }
                case Flatten:
                    shape = [shape[0], shape.Skip(1).Aggregate(1, (a, b) => a * b)];
                    break;
            }
        }
        return calls;
    }
}
