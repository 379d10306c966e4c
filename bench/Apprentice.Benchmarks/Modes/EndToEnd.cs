using System.Text.Json;
using Apprentice.Benchmarks.Timing;
using Apprentice.Benchmarks.Workloads;

namespace Apprentice.Benchmarks.Modes;

/// <summary>
/// <c>e2e --threads N [--cases a,b] [--reps 7] [--rep-seconds 0.6] [--warmup-seconds 0.5] [--tag t] [--out file]</c>:
/// the reference's cases with its protocol, one JSON line per case (per variant for inference)
/// with its field names; "bench" is "apprentice_bc". Extra fields after the reference's: warm-up
/// time (it waits for the JIT, see <see cref="TimeLoop"/>), process CPU time per call, allocated
/// bytes per call and GC counts during the timed repetitions.
/// </summary>
internal static class EndToEnd
{
    private static readonly string[] s_options = ["--threads", "--cases", "--reps", "--rep-seconds", "--warmup-seconds", "--tag", "--out"];

    public static int Run(string[] modeArgs, string[] fullArgs)
    {
        var args = new Args(modeArgs, s_options);
        if (args.Positional.Count > 0) throw new ArgumentException($"e2e takes no positional arguments; got '{args.Positional[0]}'.");
        int threads = args.Int("--threads", Environment.ProcessorCount);
        if (ThreadSetting.RelaunchUnlessSet(threads, fullArgs) is int exitCode) return exitCode;

        var timing = new TimingOptions
        {
            Reps = args.Int("--reps", 7),
            RepSeconds = args.Double("--rep-seconds", 0.6),
            WarmupSeconds = args.Double("--warmup-seconds", 0.5),
        };
        string tag = args.String("--tag") ?? "";
        var output = new JsonLines(args.String("--out"));
        foreach (var name in Catalog.Select(args.String("--cases") ?? "all"))
        {
            if (Catalog.IsTrain(name)) RunTrain(Catalog.Train(name), timing, tag, threads, output);
            else RunInfer(Catalog.Infer(name), timing, tag, threads, output);
        }
        return 0;
    }

    private static void RunTrain(TrainCase c, TimingOptions timing, string tag, int threads, JsonLines output)
    {
        var result = TimeLoop.Measure(c.Step, timing);
        double median = result.Median;
        output.Emit(w =>
        {
            Header(w, tag, c.Name, "train");
            w.WriteNumber("batch", c.Batch);
            w.WriteNumber("params", c.Model.ParameterCount);
            w.WriteNumber("steps_per_s", JsonLines.Round(median, 1));
            w.WriteNumber("samples_per_s", JsonLines.Round(median * c.Batch, 0));
            w.WriteNumber("us_per_step", JsonLines.Round(1e6 / median, 2));
            w.WriteNumber("steps_per_s_min", JsonLines.Round(result.Min, 1));
            w.WriteNumber("steps_per_s_max", JsonLines.Round(result.Max, 1));
            w.WriteNumber("approx_train_gflops", JsonLines.Round(c.TrainFlops * median / 1e9, 2));
            Footer(w, result, threads);
        });
    }

    private static void RunInfer(InferCase c, TimingOptions timing, string tag, int threads, JsonLines output)
    {
        foreach (var (variant, call) in c.Variants)
        {
            var before = c.RowCounts;
            var result = TimeLoop.Measure(call, timing);
            var after = c.RowCounts;
            double median = result.Median;
            output.Emit(w =>
            {
                Header(w, tag, c.Name, "infer");
                w.WriteString("variant", variant);
                w.WriteNumber("batch", 1);
                w.WriteNumber("calls_per_s", JsonLines.Round(median, 0));
                w.WriteNumber("us_per_call", JsonLines.Round(1e6 / median, 2));
                w.WriteNumber("us_per_call_min", JsonLines.Round(1e6 / result.Max, 2));
                w.WriteNumber("us_per_call_max", JsonLines.Round(1e6 / result.Min, 2));
                // Of the calls in warm-up and reps, the share that ran on two cores (the plan's choice; absent when it never shares).
                if (after.Rows > before.Rows)
                    w.WriteNumber("shared_row_fraction", JsonLines.Round((double)(after.Shared - before.Shared) / (after.Rows - before.Rows), 3));
                Footer(w, result, threads);
            });
        }
    }

    private static void Header(Utf8JsonWriter w, string tag, string name, string kind)
    {
        w.WriteString("bench", "apprentice_bc");
        w.WriteString("tag", tag);
        w.WriteString("case", name);
        w.WriteString("kind", kind);
    }

    private static void Footer(Utf8JsonWriter w, TimingResult result, int threads)
    {
        w.WriteNumber("iters_per_rep", result.ItersPerRep);
        w.WriteNumber("reps", result.Rates.Length);
        w.WriteNumber("warmup_s", JsonLines.Round(result.WarmupSeconds, 2));
        w.WriteNumber("cpu_us_per_call", JsonLines.Round(result.CpuSecondsPerCall * 1e6, 2));
        w.WriteNumber("alloc_bytes_per_call", Math.Round(result.AllocatedBytesPerCall));
        w.WriteNumber("gc_gen0", result.Gen0);
        w.WriteNumber("gc_gen1", result.Gen1);
        w.WriteNumber("gc_gen2", result.Gen2);
        JsonLines.WriteEnvironment(w, threads);
    }
}
