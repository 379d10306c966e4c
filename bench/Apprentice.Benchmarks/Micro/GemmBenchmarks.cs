using Apprentice.Benchmarks.Workloads;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace Apprentice.Benchmarks.Micro;

/// <summary>The engine's GEMM at square sizes and at the MLP shapes, on 1 and 2 threads (maxThreads; below 2^18 multiply-adds it always uses one).</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private GemmProblem _problem = null!;

    /// <summary>m×k×n, with Bᵀ for Linear's layout.</summary>
    [ParamsSource(nameof(Shapes))]
    public object Shape { get; set; } = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<object> Shapes => GemmShape.Squares.Concat(GemmShape.MlpShapes);

    [GlobalSetup]
    public void Setup() => _problem = new GemmProblem((GemmShape)Shape);

    [Benchmark]
    public void Multiply() => _problem.Run(Threads);

    public static double FlopsPerOperation(BenchmarkCase c) => ((GemmShape)c.Parameters["Shape"]).Flops;
}
