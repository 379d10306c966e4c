using System.Globalization;
using System.Text;
using System.Text.Json;
using Apprentice.Benchmarks.Workloads;

namespace Apprentice.Benchmarks.Modes;

/// <summary>
/// <c>compare raw1.jsonl raw2.jsonl … [--out summary.md]</c>: joins Apprentice's e2e lines
/// ("apprentice_bc") with the PyTorch reference's ("torch_bc") and prints a Markdown table per case:
/// each side's rate per thread count, each side's best, and ours/PyTorch of the bests. Training
/// compares steps/s; inference compares calls/s of our forward_no_grad with theirs, and of our
/// rollout_step with their rollout_step_numpy_roundtrip. Several lines for the same case, variant
/// and thread count (repeated rounds) are reduced to their median. GEMM lines (our "apprentice_gemm",
/// the OpenBLAS script's "openblas_gemm") make a second table: median GFLOP/s per shape and thread
/// count on each side, and ours/OpenBLAS.
/// </summary>
internal static class Compare
{
    private const string Ours = "apprentice_bc", Theirs = "torch_bc", OurGemm = "apprentice_gemm", TheirGemm = "openblas_gemm";

    // (row label, our variant, their variant); null variants for training cases.
    private static readonly (string Metric, string Ours, string Theirs)[] s_inferRows =
    [
        ("forward calls/s", "forward_no_grad", "forward_no_grad"),
        ("rollout calls/s", "rollout_step", "rollout_step_numpy_roundtrip"),
    ];

    private sealed record Sample(string Bench, string Case, string Variant, string Threads, double Rate, double? AllocBytes);

    private sealed record GemmSample(string Bench, string Shape, int Threads, double Gflops);

    public static int Run(string[] modeArgs)
    {
        var args = new Args(modeArgs, ["--out"]);
        if (args.Positional.Count == 0) throw new ArgumentException("compare needs at least one JSON-lines file.");
        var samples = new List<Sample>();
        var gemm = new List<GemmSample>();
        foreach (var path in args.Positional) Read(path, samples, gemm);
        string table = Table(samples) + GemmTable(gemm);
        Console.Write(table);
        if (args.String("--out") is string outPath) File.WriteAllText(outPath, table);
        return 0;
    }

    private static void Read(string path, List<Sample> samples, List<GemmSample> gemm)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No such results file: {path}", path);
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith('{')) continue;                            // tolerate logs mixed into the output
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string bench = root.GetProperty("bench").GetString() ?? "";
            if (bench is OurGemm or TheirGemm)
            {
                gemm.Add(new GemmSample(bench, root.GetProperty("shape").GetString() ?? "", root.GetProperty("threads").GetInt32(), root.GetProperty("gflops").GetDouble()));
                continue;
            }
            if (bench != Ours && bench != Theirs) continue;
            string kind = root.GetProperty("kind").GetString() ?? "";
            string variant = kind == "infer" ? root.GetProperty("variant").GetString() ?? "" : "";
            double rate = root.GetProperty(kind == "infer" ? "calls_per_s" : "steps_per_s").GetDouble();
            string threads = root.TryGetProperty("env", out var env) && env.TryGetProperty("threads", out var t)
                ? (t.ValueKind == JsonValueKind.Number ? t.GetInt32().ToString(CultureInfo.InvariantCulture) : t.GetString() ?? "?") : "?";
            double? alloc = root.TryGetProperty("alloc_bytes_per_call", out var a) ? a.GetDouble() : null;
            samples.Add(new Sample(bench, root.GetProperty("case").GetString() ?? "", variant, threads, rate, alloc));
        }
    }

    // Shapes both sides measured (OpenBLAS: the squares), each thread count: medians over rounds.
    private static string GemmTable(List<GemmSample> samples)
    {
        var shapes = samples.Where(s => s.Bench == TheirGemm).Select(s => s.Shape).Distinct()
            .Where(shape => samples.Any(s => s.Bench == OurGemm && s.Shape == shape)).ToArray();
        if (shapes.Length == 0) return "";
        var threads = samples.Select(s => s.Threads).Distinct().Order().ToArray();
        int rounds = samples.Where(s => s.Bench == OurGemm).GroupBy(s => (s.Shape, s.Threads)).Max(g => g.Count());
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"GEMM GFLOP/s, median over {rounds} round(s); ours/OpenBLAS per thread count.");
        sb.AppendLine();
        sb.AppendLine("| shape | " + string.Join(" | ", threads.Select(t => $"ours t{t} | OpenBLAS t{t} | ratio t{t}")) + " |");
        sb.AppendLine("|---|" + string.Concat(threads.Select(_ => "---:|---:|---:|")));
        foreach (var shape in shapes)
        {
            sb.Append($"| {shape} |");
            foreach (int t in threads)
            {
                double? ours = MedianOf(samples, OurGemm, shape, t), theirs = MedianOf(samples, TheirGemm, shape, t);
                string ratio = ours is double o && theirs is double b ? (o / b).ToString("F2", CultureInfo.InvariantCulture) : "–";
                sb.Append($" {(ours is double x ? x.ToString("F1", CultureInfo.InvariantCulture) : "–")} | {(theirs is double y ? y.ToString("F1", CultureInfo.InvariantCulture) : "–")} | {ratio} |");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static double? MedianOf(List<GemmSample> samples, string bench, string shape, int threads)
    {
        var rates = samples.Where(s => s.Bench == bench && s.Shape == shape && s.Threads == threads).Select(s => s.Gflops).ToArray();
        return rates.Length > 0 ? Median(rates) : null;
    }

    private static string Table(List<Sample> samples)
    {
        var threadLabels = samples.Select(s => s.Threads).Distinct().Order(StringComparer.Ordinal).ToArray();
        var cases = Catalog.Names.Where(n => samples.Any(s => s.Case == n))
            .Concat(samples.Select(s => s.Case).Where(n => !Catalog.Names.Contains(n)).Distinct()).ToArray();
        var sb = new StringBuilder();
        string perThreads = string.Join(" / ", threadLabels.Select(t => "t" + t));
        sb.AppendLine($"| case | metric | ours ({perThreads}) | PyTorch ({perThreads}) | ours best | PyTorch best | ours/PyTorch | ours alloc/call |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var name in cases)
        {
            var rows = Catalog.IsTrain(name) ? [("steps/s", "", "")] : s_inferRows;
            foreach (var (metric, ourVariant, theirVariant) in rows)
            {
                var ours = Rates(samples, Ours, name, ourVariant, threadLabels);
                var theirs = Rates(samples, Theirs, name, theirVariant, threadLabels);
                var ourBest = Best(ours);
                var theirBest = Best(theirs);
                string ratio = ourBest is { } o && theirBest is { } t ? (o.Rate / t.Rate).ToString("F2", CultureInfo.InvariantCulture) : "–";
                var allocs = samples.Where(s => s.Bench == Ours && s.Case == name && s.Variant == ourVariant && s.AllocBytes is not null)
                    .Select(s => s.AllocBytes!.Value).ToArray();
                string alloc = allocs.Length > 0 ? Bytes(Median(allocs)) : "–";
                sb.AppendLine($"| {name} | {metric} | {Join(ours)} | {Join(theirs)} | {Format(ourBest)} | {Format(theirBest)} | {ratio} | {alloc} |");
            }
        }
        return sb.ToString();
    }

    private static (string Threads, double? Rate)[] Rates(List<Sample> samples, string bench, string name, string variant, string[] threadLabels) =>
        threadLabels.Select(t =>
        {
            var rates = samples.Where(s => s.Bench == bench && s.Case == name && s.Variant == variant && s.Threads == t).Select(s => s.Rate).ToArray();
            return (t, rates.Length > 0 ? Median(rates) : (double?)null);
        }).ToArray();

    private static (string Threads, double Rate)? Best((string Threads, double? Rate)[] rates)
    {
        (string, double)? best = null;
        foreach (var (threads, rate) in rates)
            if (rate is double r && (best is null || r > best.Value.Item2)) best = (threads, r);
        return best;
    }

    private static string Join((string Threads, double? Rate)[] rates) =>
        string.Join(" / ", rates.Select(r => r.Rate is double v ? Number(v) : "–"));

    private static string Format((string Threads, double Rate)? best) =>
        best is { } b ? $"{Number(b.Rate)} (t{b.Threads})" : "–";

    private static string Number(double v) => v.ToString(v >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture);

    private static string Bytes(double b) => b >= 1 << 20 ? $"{b / (1 << 20):F1} MB" : b >= 1024 ? $"{b / 1024:F1} KB" : $"{b:F0} B";

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
