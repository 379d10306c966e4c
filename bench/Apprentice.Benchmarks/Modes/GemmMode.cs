using System.Globalization;
using Apprentice.Benchmarks.Timing;
using Apprentice.Benchmarks.Workloads;
using Apprentice.Tensors.Kernels;

namespace Apprentice.Benchmarks.Modes;

/// <summary>
/// <c>gemm [--threads 1,2] [--reps 3] [--rep-seconds 0.3] [--shapes all|squares|mlp] [--out file]</c>: GFLOP/s of the
/// engine's GEMM at square sizes 256…2048 and at the MLP shapes, per thread count (through
/// <see cref="Gemm.Multiply"/>'s maxThreads, so one process covers all counts), then the register-only
/// FMA peak per accumulator count and thread count, then one core's read rate from cache. Each cell shows the wall-clock rate and, in
/// brackets, the rate per CPU-second (per core actually used; robust to a busy machine).
/// --shapes squares times only the square sizes (quicker when tuning the blocked kernel).
/// Prints a table; --out also writes JSON lines.
/// </summary>
internal static class GemmMode
{
    private static readonly string[] s_options = ["--threads", "--reps", "--rep-seconds", "--shapes", "--out"];
    private const int Cell = 18;

    public static int Run(string[] modeArgs)
    {
        var args = new Args(modeArgs, s_options);
        int[] threadCounts = (args.String("--threads") ?? "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var timing = new TimingOptions
        {
            Reps = args.Int("--reps", 3),
            RepSeconds = args.Double("--rep-seconds", 0.3),
            WarmupSeconds = 0.2,
            JitQuietSeconds = 0.2,
            MinWarmupCalls = 2,
            MinItersPerRep = 1,
        };
        var json = args.String("--out") is string path ? new JsonLines(path, echo: false) : null;

        Console.WriteLine($"GEMM GFLOP/s, wall (per CPU-second), median of {timing.Reps}; load {JsonLines.LoadAverage()}.");
        Console.WriteLine("Shapes m×k×n; Bᵀ = Linear's layout. Products under 2^18 multiply-adds always run on one thread.");
        Header("shape", threadCounts);
        var shapes = (args.String("--shapes") ?? "all") switch
        {
            "all" => GemmShape.Squares.Concat(GemmShape.MlpShapes),
            "squares" => GemmShape.Squares,
            "mlp" => GemmShape.MlpShapes,
            var other => throw new ArgumentException($"--shapes: expected all, squares or mlp, found '{other}'."),
        };
        foreach (var shape in shapes)
        {
            var problem = new GemmProblem(shape);
            Console.Write($"{shape,-22}");
            foreach (int threads in threadCounts)
            {
                var result = TimeLoop.Measure(() => problem.Run(threads), timing);
                double wall = result.Median * shape.Flops / 1e9, cpu = shape.Flops / result.CpuSecondsPerCall / 1e9;
                Console.Write(Format(wall, cpu));
                Emit(json, "apprentice_gemm", "shape", shape.ToString(), threads, wall, cpu);
            }
            Console.WriteLine();
        }

        Console.WriteLine();
        Console.WriteLine($"FMA peak GFLOP/s, wall (per CPU-second): register-only Vector512 loop, hardware accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}.");
        Header("accumulators", threadCounts);
        foreach (int accumulators in FmaPeak.AccumulatorCounts)
        {
            Console.Write($"{accumulators,-22}");
            foreach (int threads in threadCounts)
            {
                var runs = Enumerable.Range(0, timing.Reps).Select(_ => FmaPeak.Measure(accumulators, threads, timing.RepSeconds)).OrderBy(r => r.Wall).ToArray();
                var (wall, cpu) = runs[runs.Length / 2];
                Console.Write(Format(wall, cpu));
                Emit(json, "apprentice_fma_peak", "accumulators", accumulators.ToString(CultureInfo.InvariantCulture), threads, wall, cpu);
            }
            Console.WriteLine();
        }

        Console.WriteLine();
        Console.WriteLine("Reading a buffer that stays in cache, one thread (the floor under a single-observation forward pass, which reads every weight once):");
        Console.WriteLine($"{"size",-22}{"µs per pass",Cell}{"GB/s",Cell}");
        foreach (int kilobytes in CacheRead.Sizes)
        {
            var read = new CacheRead(kilobytes);
            float sink = 0;
            var result = TimeLoop.Measure(() => sink += read.Run(), timing);
            double gigabytes = result.Median * read.Bytes / 1e9;
            Console.WriteLine($"{$"{kilobytes} KB",-22}{$"{1e6 / result.Median:F2}",Cell}{$"{gigabytes:F1}",Cell}");
            json?.Emit(w =>
            {
                w.WriteString("bench", "apprentice_cache_read");
                w.WriteNumber("kilobytes", kilobytes);
                w.WriteNumber("us_per_pass", JsonLines.Round(1e6 / result.Median, 3));
                w.WriteNumber("gb_per_s", JsonLines.Round(gigabytes, 1));
                JsonLines.WriteEnvironment(w, 1);
            });
            if (float.IsNaN(sink)) Console.WriteLine("(NaN)");
        }
        return 0;
    }

    private static void Header(string first, int[] threadCounts) =>
        Console.WriteLine($"{first,-22}" + string.Concat(threadCounts.Select(t => $"{$"{t} thread(s)",Cell}")));

    private static string Format(double wall, double cpu) => $"{$"{wall:F1} ({cpu:F1})",Cell}";

    private static void Emit(JsonLines? json, string bench, string key, string value, int threads, double wall, double cpu) =>
        json?.Emit(w =>
        {
            w.WriteString("bench", bench);
            w.WriteString(key, value);
            w.WriteNumber("threads", threads);
            w.WriteNumber("gflops", JsonLines.Round(wall, 1));
            w.WriteNumber("gflops_per_cpu_second", JsonLines.Round(cpu, 1));
            JsonLines.WriteEnvironment(w, threads);
        });
}
