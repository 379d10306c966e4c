using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apprentice.Tensors.Kernels;

/// <summary>
/// Single-precision matrix multiply, C = op(A)·op(B), row-major, where op transposes when asked
/// (so backward passes need no transposed copies). Large products pack A and B into panels
/// (blocked for cache) and run a register-blocked micro-kernel: 6 rows × 4 vectors of
/// <see cref="Vector512{T}"/>, or 6 rows × 2 vectors of <see cref="Vector256{T}"/> where AVX-512 is
/// missing. Small products take a direct path, because packing costs more than it saves there.
/// </summary>
/// <remarks>
/// Determinism: every element of C is computed by one thread with the same sequence of
/// operations whatever the number of threads, so results are bit-identical for 1 or N threads.
/// Threads split the rows of C into fixed contiguous ranges.
/// </remarks>
internal static unsafe partial class Gemm
{
    private const int MR = 6;           // rows of the micro-tile
    private const int KC = 256;         // depth of a packed panel (an A sliver stays in L1, a B panel in L2)

    /// <summary>
    /// Depth of one run of sums: each element of C is summed over k in runs of this many terms
    /// (fused multiply-adds in order from zero), the runs' sums then added in order. Kernels that
    /// must round as this GEMM does (the direct convolution) follow the same runs.
    /// </summary>
    internal const int PanelDepth = KC;
    // Columns of B packed at once: a KC×NC panel of up to 4 MB, which stays in L2/L3. A panel that
    // fits L2 (NC = 512) was measured slower at 1024²–2048² (−1% and −3%, same process, interleaved):
    // every NC block makes each A sliver go round again and visits every row of C once more, and
    // C's rows, 4–8 KB apart, are a page each (the profile's time outside the micro-kernel sat at
    // the C-tile prefetch). The strips of a wide panel are contiguous and the prefetchers stream
    // them. The sums are the same for any NC.
    private const int NC = 4096;
    private const long DirectLimit = 32 * 1024;      // m·n·k below this: no packing
    private const long ParallelLimit = 1L << 18;     // m·n·k above this: split rows over threads
    private const int DirectBRows = 24;              // rows of C per thread at or below which B is not packed

    /// <summary>Threads used above <see cref="ParallelLimit"/>: <c>APPRENTICE_NUM_THREADS</c> if set, else all cores.</summary>
    internal static readonly int MaxThreads = ReadThreadSetting();

    // Columns of the micro-tile. With AVX-512's 32 registers, 6 rows × 4 vectors (24 accumulators)
    // use each broadcast of A for 4 multiply-adds; with 16 registers 2 vectors (12 accumulators) is
    // all that fits. Six rows, not twelve rows × 2 vectors: C's rows are ldc apart, and at a
    // power-of-two ldc (1024, 2048) all rows of a tile fall in one L1 set of 8 ways, so a tile
    // taller than 8 rows evicts itself when it is loaded and stored (measured ~3% at 1024²–2048²).
    private static int NR => Vector512.IsHardwareAccelerated ? 64 : 16;
    private const int MaxNR = 64;

    /// <summary>
    /// Whether an m×n×k product takes the packed, blocked path, whose sums
    /// <see cref="PanelDepth"/> describes (small products are summed another way).
    /// </summary>
    internal static bool IsBlocked(int m, int n, int k) => (long)m * n * k > DirectLimit && m >= MR;

    /// <summary>
    /// C[m×n] = op(A)·op(B), overwriting C. A is m×k (k×m when <paramref name="transA"/>), B is
    /// k×n (n×k when <paramref name="transB"/>), all dense row-major. <paramref name="maxThreads"/>
    /// overrides <see cref="MaxThreads"/> when positive (tests use it to compare thread counts).
    /// A <paramref name="bias"/> of n values, when given, is added to every row of C after its sums,
    /// so C holds the bits of the product followed by <see cref="AddKernel.ToRows"/>. The AVX-512
    /// micro-kernel and the shallow kernel add it to the sums in registers, edge tiles while they are
    /// in L1, the direct and narrow paths in a pass afterwards: on the first two, one pass over C
    /// fewer (1.2 µs of a 256×64 layer).
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool transA, bool transB,
        int maxThreads = 0, ReadOnlySpan<float> bias = default)
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n)
            throw new ArgumentException($"GEMM {m}×{k} by {k}×{n}: buffers too small (A {a.Length}, B {b.Length}, C {c.Length}).");
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"GEMM {m}×{k} by {k}×{n}: a bias needs {n} values, got {bias.Length}.");
        if (m == 0 || n == 0) return;
        long work = (long)m * n * k;
        if (k == 0 || !IsBlocked(m, n, k))          // a few rows (single-observation inference) never repay packing B
        {
            if (k == 0) c[..(m * n)].Clear();
            else Direct(a, b, c, m, n, k, transA, transB);
            if (!bias.IsEmpty) AddKernel.ToRows(c[..(m * n)], bias);
            return;
        }
        int threads = work >= ParallelLimit ? Math.Min(maxThreads > 0 ? maxThreads : MaxThreads, (m + MR - 1) / MR) : 1;
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            if (IsNarrow(n, work))
            {
                Narrow(pa, pb, pc, m, n, k, transA, transB);
                if (!bias.IsEmpty) AddKernel.ToRows(c[..(m * n)], bias);
            }
            else if (IsShallow(k, work)) Shallow(pa, pb, pc, m, n, k, transA, transB, pbias);
            else if (threads <= 1) Blocked(pa, pb, pc, m, n, k, transA, transB, 0, m, pbias);
            else InParallel(pa, pb, pc, m, n, k, transA, transB, threads, pbias);
        }
    }

    /// <summary>The bias of column <paramref name="column"/> on, or null when there is no bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* BiasAt(float* bias, int column) => bias == null ? null : bias + column;

    /// <summary>
    /// Adds <paramref name="bias"/> (null: nothing) to a block of C, <paramref name="rows"/> ×
    /// <paramref name="cols"/> with row stride <paramref name="ldc"/>: the add of
    /// <see cref="AddKernel.ToRows"/>, element for element.
    /// </summary>
    private static void AddBias(float* c, int ldc, int rows, int cols, float* bias)
    {
        if (bias == null) return;
        int w = Vector256<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            float* row = c + (long)r * ldc;
            int j = 0;
            for (; j + w <= cols; j += w) (Vector256.Load(row + j) + Vector256.Load(bias + j)).Store(row + j);
            for (; j < cols; j++) row[j] += bias[j];
        }
    }

    // Fixed partition: row ranges aligned to the micro-tile, independent of timing, one per part
    // of the worker pool (which allocates nothing per call, as Parallel.For's closure did).
    private static void InParallel(float* pa, float* pb, float* pc, int m, int n, int k, bool transA, bool transB, int threads, float* bias)
    {
        int rowsPerThread = (m + threads - 1) / threads;
        rowsPerThread = (rowsPerThread + MR - 1) / MR * MR;
        var work = t_rowRanges ??= new RowRanges();
        (work.A, work.B, work.C, work.Bias, work.M, work.N, work.K, work.TransA, work.TransB, work.RowsPerPart) =
            ((nint)pa, (nint)pb, (nint)pc, (nint)bias, m, n, k, transA, transB, rowsPerThread);
        WorkerPool.Run(work, threads);
    }

    [ThreadStatic] private static RowRanges? t_rowRanges;

    /// <summary>One product's operands; part t multiplies rows [t·RowsPerPart, (t + 1)·RowsPerPart) of C.</summary>
    private sealed class RowRanges : IParallelWork
    {
        public nint A, B, C, Bias;
        public int M, N, K, RowsPerPart;
        public bool TransA, TransB;

        public void Run(int part, int parts)
        {
            int start = part * RowsPerPart, end = Math.Min(M, start + RowsPerPart);
            if (start < end) Blocked((float*)A, (float*)B, (float*)C, M, N, K, TransA, TransB, start, end, (float*)Bias);
        }
    }

    private static void Direct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool transA, bool transB)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (!transB)
            {
                int i = 0;
                for (; i + 2 <= m; i += 2) AxpyRowPair(pa, pb, pc + (long)i * n, i, m, n, k, transA);
                for (; i < m; i++) AxpyRows(pa, pb, pc + (long)i * n, i, m, n, k, transA, 0);
                return;
            }
            if (m == 1 && !transA)
            {
                RowTimesTransposed(pa, pb, pc, n, k);
                return;
            }
            float* rows = pa;
            float[]? gathered = null;
            if (transA)
            {
                // Rare Aᵀ·Bᵀ small case: gather the rows of op(A) once.
                gathered = ArrayPool<float>.Shared.Rent(m * k);
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < k; p++) gathered[i * k + p] = a[p * m + i];
            }
            fixed (float* pg = gathered)
            {
                if (gathered is not null) rows = pg;
                // Four rows of B (four output columns) per pass over a row of A, so each load of A
                // feeds four multiply-adds; the group of B rows stays in L1 across the rows of A.
                int whole = n & ~3;
                for (int j = 0; j < whole; j += 4)
                {
                    float* b0 = pb + (long)j * k;
                    for (int i = 0; i < m; i++)
                        Dot4(rows + (long)i * k, b0, b0 + k, b0 + 2 * k, b0 + 3 * k, k).Store(pc + (long)i * n + j);
                }
                LastColumns(rows, pb, pc, m, n, k);
            }
            if (gathered is not null) ArrayPool<float>.Shared.Return(gathered);
        }
    }

    /// <summary>
    /// One row x times Bᵀ (B is n×k, row-major): a layer's forward pass on one observation.
    /// The same <see cref="Dot4"/> per group of four columns as the general loop, so the same bits,
    /// inlined into a loop with nothing else in it. Through the general loop (row loop inside,
    /// <see cref="Dot4"/> called per group) the cheetah policy's 17→256 layer took 0.49–0.52 µs
    /// in the split single-observation pass, and 0.39–0.43 µs this way.
    /// </summary>
    private static void RowTimesTransposed(float* x, float* b, float* c, int n, int k)
    {
        int whole = n & ~3;
        for (int j = 0; j < whole; j += 4)
        {
            float* b0 = b + (long)j * k;
            Dot4(x, b0, b0 + k, b0 + 2 * k, b0 + 3 * k, k).Store(c + j);
        }
        LastColumns(x, b, c, 1, n, k);
    }

    /// <summary>
    /// Columns from the last whole group of four on (none when four divide n), in a group padded by
    /// repeating its first row of B; two last columns go two rows at a time through <see cref="Dot2x2"/>
    /// instead, which pads nothing: CartPole's two logits over a batch of 256, 2.4 → 1.1 µs.
    /// </summary>
    private static void LastColumns(float* rows, float* b, float* c, int m, int n, int k)
    {
        int whole = n & ~3, cols = n - whole;
        if (cols == 0) return;
        float* b0 = b + (long)whole * k;
        float* b1 = cols > 1 ? b0 + k : b0, b2 = cols > 2 ? b0 + 2 * k : b0;
        int i = 0;
        if (cols == 2)
            for (; i + 2 <= m; i += 2)
            {
                var sums = Dot2x2(rows + (long)i * k, rows + (long)(i + 1) * k, b0, b1, k);
                float* ci = c + (long)i * n + whole;
                ci[0] = sums[0]; ci[1] = sums[1];
                ci[n] = sums[2]; ci[n + 1] = sums[3];
            }
        for (; i < m; i++)
        {
            var sums = Dot4(rows + (long)i * k, b0, b1, b2, b0, k);
            for (int q = 0; q < cols; q++) c[(long)i * n + whole + q] = sums[q];
        }
    }

    /// <summary>
    /// Rows <paramref name="i"/> and <paramref name="i"/> + 1 of C (from <paramref name="c"/>), each
    /// element summed as <see cref="AxpyRows"/> sums it, the two rows' 32-column blocks together so
    /// that each load of B serves both: CartPole's output layer's input gradient (256×2×64)
    /// 2.0 → 1.2 µs, its weight gradient (2×256×64, Aᵀ) 1.8 → 1.2 µs.
    /// </summary>
    private static void AxpyRowPair(float* a, float* b, float* c, int i, int m, int n, int k, bool transA)
    {
        float* a0 = transA ? a + i : a + (long)i * k;                      // op(A)[i, p] = a0[p · step]
        long step = transA ? m : 1, next = transA ? 1 : k;                 // op(A)[i + 1, p] = a0[next + p · step]
        float* a1 = a0 + next, c1 = c + n;
        int w = Vector256<float>.Count, j = 0;
        for (; j + 4 * w <= n; j += 4 * w)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += n)
            {
                var x = Vector256.Create(a0[p * step]);
                var y = Vector256.Create(a1[p * step]);
                var v0 = Vector256.Load(bp);
                var v1 = Vector256.Load(bp + w);
                var v2 = Vector256.Load(bp + 2 * w);
                var v3 = Vector256.Load(bp + 3 * w);
                s0 = v0 * x + s0; s1 = v1 * x + s1; s2 = v2 * x + s2; s3 = v3 * x + s3;
                t0 = v0 * y + t0; t1 = v1 * y + t1; t2 = v2 * y + t2; t3 = v3 * y + t3;
            }
            s0.Store(c + j); s1.Store(c + j + w); s2.Store(c + j + 2 * w); s3.Store(c + j + 3 * w);
            t0.Store(c1 + j); t1.Store(c1 + j + w); t2.Store(c1 + j + 2 * w); t3.Store(c1 + j + 3 * w);
        }
        if (j == n) return;
        AxpyRows(a, b, c, i, m, n, k, transA, j);
        AxpyRows(a, b, c1, i + 1, m, n, k, transA, j);
    }

    /// <summary>
    /// Row <paramref name="i"/> of C from column <paramref name="j"/> on = Σₚ op(A)[i, p]·B[p, :], each element summed as
    /// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>
    /// row by row would (product rounded, then added, from zero, p in order), with the running sums
    /// held in registers instead of written back to C after every term.
    /// </summary>
    private static void AxpyRows(float* a, float* b, float* c, int i, int m, int n, int k, bool transA, int j)
    {
        float* ai = transA ? a + i : a + (long)i * k;                      // op(A)[i, p] = ai[p · step]
        long step = transA ? m : 1;
        int w = Vector256<float>.Count;
        for (; j + 4 * w <= n; j += 4 * w)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += n)
            {
                var x = Vector256.Create(ai[p * step]);
                s0 = Vector256.Load(bp) * x + s0;
                s1 = Vector256.Load(bp + w) * x + s1;
                s2 = Vector256.Load(bp + 2 * w) * x + s2;
                s3 = Vector256.Load(bp + 3 * w) * x + s3;
            }
            s0.Store(c + j); s1.Store(c + j + w); s2.Store(c + j + 2 * w); s3.Store(c + j + 3 * w);
        }
        for (; j + w <= n; j += w)
        {
            var s0 = Vector256<float>.Zero;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += n)
                s0 = Vector256.Load(bp) * Vector256.Create(ai[p * step]) + s0;
            s0.Store(c + j);
        }
        for (; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++) sum = b[(long)p * n + j] * (ai[p * step]) + sum;
            c[j] = sum;
        }
    }

    /// <summary>
    /// Four dot products of <paramref name="x"/> with <paramref name="b0"/>…<paramref name="b3"/>,
    /// length <paramref name="k"/>. Each is computed by the same sequence of operations (two
    /// vector accumulators, then the scalar tail), whatever its neighbours, so a column's value does
    /// not depend on which group it falls in; callers pad a short group by repeating a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Dot4(float* x, float* b0, float* b1, float* b2, float* b3, int k)
    {
        int width = Vector256<float>.Count, p = 0;
        Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
        for (; p + 2 * width <= k; p += 2 * width)
        {
            var x0 = Vector256.Load(x + p);
            var x1 = Vector256.Load(x + p + width);
            s00 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b0 + p), s00); s01 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b0 + p + width), s01);
            s10 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b1 + p), s10); s11 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b1 + p + width), s11);
            s20 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b2 + p), s20); s21 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b2 + p + width), s21);
            s30 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b3 + p), s30); s31 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b3 + p + width), s31);
        }
        if (p + width <= k)
        {
            var x0 = Vector256.Load(x + p);
            s00 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b0 + p), s00);
            s10 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b1 + p), s10);
            s20 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b2 + p), s20);
            s30 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b3 + p), s30);
            p += width;
        }
        // Each column's sum is Vector256.Sum(s0 + s1) (((v0+v1)+(v2+v3)) + ((v4+v5)+(v6+v7))), then the
        // tail's multiply-adds in order; the four columns go through both together, in vector lanes.
        var d = Sum4(s00 + s01, s10 + s11, s20 + s21, s30 + s31);
        for (; p < k; p++)
            d = Vector128.FusedMultiplyAdd(Vector128.Create(x[p]), Vector128.Create(b0[p], b1[p], b2[p], b3[p]), d);
        return d;
    }

    /// <summary>
    /// Two rows <paramref name="x0"/>, <paramref name="x1"/> each dotted with <paramref name="b0"/>
    /// and <paramref name="b1"/>: [x0·b0, x0·b1, x1·b0, x1·b1], each summed by exactly
    /// <see cref="Dot4"/>'s sequence of operations, so a column's bits do not depend on the path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Dot2x2(float* x0, float* x1, float* b0, float* b1, int k)
    {
        int width = Vector256<float>.Count, p = 0;
        Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector256<float> t00 = default, t01 = default, t10 = default, t11 = default;
        for (; p + 2 * width <= k; p += 2 * width)
        {
            var w0 = Vector256.Load(b0 + p);
            var w1 = Vector256.Load(b0 + p + width);
            var v0 = Vector256.Load(b1 + p);
            var v1 = Vector256.Load(b1 + p + width);
            var x = Vector256.Load(x0 + p);
            var xx = Vector256.Load(x0 + p + width);
            s00 = Vector256.FusedMultiplyAdd(x, w0, s00); s01 = Vector256.FusedMultiplyAdd(xx, w1, s01);
            s10 = Vector256.FusedMultiplyAdd(x, v0, s10); s11 = Vector256.FusedMultiplyAdd(xx, v1, s11);
            var y = Vector256.Load(x1 + p);
            var yy = Vector256.Load(x1 + p + width);
            t00 = Vector256.FusedMultiplyAdd(y, w0, t00); t01 = Vector256.FusedMultiplyAdd(yy, w1, t01);
            t10 = Vector256.FusedMultiplyAdd(y, v0, t10); t11 = Vector256.FusedMultiplyAdd(yy, v1, t11);
        }
        if (p + width <= k)
        {
            var w0 = Vector256.Load(b0 + p);
            var v0 = Vector256.Load(b1 + p);
            var x = Vector256.Load(x0 + p);
            var y = Vector256.Load(x1 + p);
            s00 = Vector256.FusedMultiplyAdd(x, w0, s00); s10 = Vector256.FusedMultiplyAdd(x, v0, s10);
            t00 = Vector256.FusedMultiplyAdd(y, w0, t00); t10 = Vector256.FusedMultiplyAdd(y, v0, t10);
            p += width;
        }
        var d = Sum4(s00 + s01, s10 + s11, t00 + t01, t10 + t11);
        for (; p < k; p++)
            d = Vector128.FusedMultiplyAdd(Vector128.Create(x0[p], x0[p], x1[p], x1[p]), Vector128.Create(b0[p], b1[p], b0[p], b1[p]), d);
        return d;
    }

    /// <summary>
    /// The sums of four vectors' lanes, each added up in <see cref="Vector256.Sum{T}(Vector256{T})"/>'s
    /// order, so the bits are the same as four calls to it: three horizontal adds and one add instead
    /// of four reductions (a quarter of a single-observation forward pass went into them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector256<float> t0, Vector256<float> t1, Vector256<float> t2, Vector256<float> t3)
    {
        if (!Avx.IsSupported)
            return Vector128.Create(Vector256.Sum(t0), Vector256.Sum(t1), Vector256.Sum(t2), Vector256.Sum(t3));
        // Per 128-bit lane: [t0₀₁, t0₂₃, t1₀₁, t1₂₃] and [t2₀₁, …], then [t0₀₁₂₃, t1₀₁₂₃, t2₀₁₂₃, t3₀₁₂₃] in the low
        // lane and the upper halves' sums in the high lane, added last as Vector256.Sum adds its halves.
        var h = Avx.HorizontalAdd(Avx.HorizontalAdd(t0, t1), Avx.HorizontalAdd(t2, t3));
        return h.GetLower() + h.GetUpper();
    }

    // Loop order: for each depth panel pc, the thread's rows of A are packed once (MR-row slivers,
    // each just before its sweep when B has one column block); for each KC×NC panel of B, packed
    // and kept in cache (L2, or L3 when wide), every sliver (MR×KC, in L1) sweeps the whole B
    // panel, one NR-wide strip at a time streamed from there. A KC×NR strip (64 KB at NR = 64)
    // would overfill L1 by itself, so the sliver, not the strip, is the operand kept there. Each
    // element of A and of B is packed once per product.
    private static void Blocked(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB, int rowStart, int rowEnd, float* bias)
    {
        int nr = NR;
        int ncMax = Math.Min(NC, (n + nr - 1) / nr * nr);
        int rowCount = rowEnd - rowStart;
        bool oneStrip = n <= nr;
        // A plain A is read where it lies (see below), and so is a transposed A one strip wide;
        // any other transposed A is packed. With one block of B's columns (n ≤ NC) each sliver of
        // A is used in one sweep only: it is packed just before it, into a buffer that stays in
        // L1, instead of all of the thread's rows being packed ahead and read back from L3
        // (measured +1% at 2048², same process).
        bool directA = oneStrip || !transA;
        bool slivers = !directA && n <= NC;
        bool oneSliver = directA || slivers;             // the packed-A buffer holds one sliver at a time
        // 16 floats of slack so the panels can start on a cache line: a misaligned 64-byte load
        // straddles two lines, every load of the micro-kernel.
        float[] packedB = ArrayPool<float>.Shared.Rent(KC * ncMax + 16);
        float[] packedA = ArrayPool<float>.Shared.Rent(KC * (oneSliver ? MR : (rowCount + MR - 1) / MR * MR) + 16);
        float* edge = stackalloc float[MR * MaxNR];
        // With few rows of A (a convolution's out channels) each packed B element would be used by
        // only a tile or two, so packing costs more than it saves: read B in place, row stride n.
        // The arithmetic is the same either way, so the results are too.
        // With one strip of columns (a small MLP's 64-unit layer) each element of A meets B once
        // per panel, so a packed copy of A would be written once and read once: the micro-kernel
        // reads A where it lies instead, and a plain B as well (its rows already are the strip's
        // rows). A plain A is read in place at any width too: its sliver's six rows stay in L1
        // across the sweep as a packed copy would (+1% at 2048², +2% at 1024², +4% at 256²–512²,
        // same process). Only where the operands are read from changes, not the sums.
        bool directB = !transB && (rowCount <= DirectBRows || oneStrip);
        int fullRows = rowCount / MR * MR;
        try
        {
            fixed (float* pbRaw = packedB, paRaw = packedA)
            {
                float* pb = CacheLine.Align(pbRaw), pa = CacheLine.Align(paRaw);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool accumulate = pc > 0;
                    float* panelBias = pc + kc == k ? bias : null;         // added after the last panel's sums
                    if (!oneSliver) PackA(a, pa, m, k, transA, rowStart, rowCount, pc, kc);
                    else if (directA && fullRows < rowCount)               // a short last strip would read past A's rows: pack just it
                        PackA(a, pa, m, k, transA, rowStart + fullRows, rowCount - fullRows, pc, kc);
                    for (int jc = 0; jc < n; jc += NC)
                    {
                        int nc = Math.Min(NC, n - jc);
                        int lastStrip = (nc - 1) / nr * nr;
                        if (!directB) PackB(b, pb, n, k, transB, pc, kc, jc, nc, nr);
                        else if (nc - lastStrip < nr)                        // a partial last strip would read past B's end: pack just it
                            PackB(b, pb, n, k, transB, pc, kc, jc + lastStrip, nc - lastStrip, nr);
                        for (int ir = 0; ir < rowCount; ir += MR)
                        {
                            int rows = Math.Min(MR, rowCount - ir);
                            float* ap = oneSliver ? pa : pa + ir * kc;
                            if (slivers) PackA(a, pa, m, k, transA, rowStart + ir, rows, pc, kc);
                            nint aRow = 1, aStep = MR;                      // a packed strip: column p is MR contiguous floats
                            if (directA && rows == MR)
                            {
                                int row = rowStart + ir;
                                ap = transA ? a + (long)pc * m + row : a + (long)row * k + pc;
                                (aRow, aStep) = transA ? (1, m) : (k, 1);
                            }
                            for (int jr = 0; jr < nc; jr += nr)
                            {
                                int cols = Math.Min(nr, nc - jr);
                                float* bp = pb + jr * kc;
                                int ldb = nr;
                                if (directB)
                                {
                                    bool packed = cols < nr;
                                    bp = packed ? pb : b + (long)pc * n + jc + jr;
                                    ldb = packed ? nr : n;
                                }
                                float* tile = c + (long)(rowStart + ir) * n + jc + jr;
                                if (rows == MR && cols == nr)
                                {
                                    PrefetchTile(tile, n);
                                    MicroKernel(ap, aRow, aStep, bp, ldb, kc, tile, n, accumulate, BiasAt(panelBias, jc + jr));
                                    continue;
                                }
                                // Edge tile: compute it into scratch, copy the valid part. A narrow
                                // strip (the 6 or 17 outputs of a last or first layer) runs kernels
                                // just wide enough; each lane's sums are the same in any of them.
                                if (cols == nr) MicroKernel(ap, aRow, aStep, bp, ldb, kc, edge, nr, accumulate: false, bias: null);
                                else NarrowKernels(ap, aRow, aStep, bp, ldb, kc, edge, nr, cols);
                                for (int r = 0; r < rows; r++)
                                    for (int j = 0; j < cols; j++)
                                        tile[(long)r * n + j] = accumulate ? tile[(long)r * n + j] + edge[r * nr + j] : edge[r * nr + j];
                                AddBias(tile, n, rows, cols, BiasAt(panelBias, jc + jr));
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedB);
            ArrayPool<float>.Shared.Return(packedA);
        }
    }

    // Asks for the tile's rows of C (MR × NR) ahead of the micro-kernel, which reads and
    // writes them only after its k loop: their misses then overlap the arithmetic.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* tile, int ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < MR; r++)
        {
            for (int j = 0; j < NR; j += 16) Sse.Prefetch0(tile + (long)r * ldc + j);
        }
    }

    // B panel: strips of nr columns; inside a strip, row p of the panel is nr contiguous floats.
    // A plain B is copied row by row of the panel, each row read once from start to end (one
    // stream the prefetcher follows) and dealt out to the strips. A transposed B is read along its
    // rows (contiguous in p) and scattered into the strip, so each source cache line is used whole
    // instead of one float per line per p.
    private static void PackB(float* b, float* packed, int n, int k, bool transB, int pc, int kc, int jc, int nc, int nr)
    {
        if (!transB)
        {
            int whole = nc / nr * nr;
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (long)(pc + p) * n + jc;
                float* dst = packed + p * nr;
                for (int j0 = 0; j0 < whole; j0 += nr)
                    for (int q = 0; q < nr; q += 8) Vector256.Load(src + j0 + q).Store(dst + j0 * kc + q);
                if (whole == nc) continue;
                float* tail = dst + whole * kc;
                int j = 0;
                for (; j < nc - whole; j++) tail[j] = src[whole + j];
                for (; j < nr; j++) tail[j] = 0f;
            }
            return;
        }
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            float* strip = packed + j0 * kc;
            int cols = Math.Min(nr, nc - j0);
            if (cols == nr && Avx.IsSupported)
            {
                for (int j = 0; j < nr; j += 8) PackTransposed8(b + (long)(jc + j0 + j) * k + pc, k, strip + j, nr, kc);
                continue;
            }
            for (int j = 0; j < nr; j++)
            {
                float* dst = strip + j;
                if (j >= cols)
                {
                    for (int p = 0; p < kc; p++) dst[p * nr] = 0f;
                    continue;
                }
                float* src = b + (long)(jc + j0 + j) * k + pc;
                for (int p = 0; p < kc; p++) dst[p * nr] = src[p];
            }
        }
    }

    // Packing reads a few rows a stride apart, 1 KB of each per panel: streams too short for the
    // hardware prefetcher to pick up, so the transposing loops ask for each row's lines this many
    // floats ahead (a prefetch past the panel's end is harmless: it never faults).
    private const int Ahead = 64;

    // Eight rows of a transposed B (eight columns of op(B)) into a strip: 8×8 blocks are loaded
    // as rows and transposed in registers, so both the reads and the writes are whole vectors.
    private static void PackTransposed8(float* src, int k, float* dst, int nr, int kc)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s0 = src + p;
            if ((p & 15) == 0)
                for (int r = 0; r < 8; r++) Sse.Prefetch0(s0 + r * (long)k + Ahead);
            var t0 = Avx.UnpackLow(Avx.LoadVector256(s0), Avx.LoadVector256(s0 + k));
            var t1 = Avx.UnpackHigh(Avx.LoadVector256(s0), Avx.LoadVector256(s0 + k));
            var t2 = Avx.UnpackLow(Avx.LoadVector256(s0 + 2L * k), Avx.LoadVector256(s0 + 3L * k));
            var t3 = Avx.UnpackHigh(Avx.LoadVector256(s0 + 2L * k), Avx.LoadVector256(s0 + 3L * k));
            var t4 = Avx.UnpackLow(Avx.LoadVector256(s0 + 4L * k), Avx.LoadVector256(s0 + 5L * k));
            var t5 = Avx.UnpackHigh(Avx.LoadVector256(s0 + 4L * k), Avx.LoadVector256(s0 + 5L * k));
            var t6 = Avx.UnpackLow(Avx.LoadVector256(s0 + 6L * k), Avx.LoadVector256(s0 + 7L * k));
            var t7 = Avx.UnpackHigh(Avx.LoadVector256(s0 + 6L * k), Avx.LoadVector256(s0 + 7L * k));
            var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* d = dst + p * nr;
            Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(d + nr, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(d + 2 * nr, Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(d + 3 * nr, Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(d + 4 * nr, Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(d + 5 * nr, Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(d + 6 * nr, Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(d + 7 * nr, Avx.Permute2x128(u3, u7, 0x31));
        }
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) dst[p * nr + r] = src[(long)r * k + p];
    }

    // Rows [ic, ic + mc) of A: strips of MR rows; inside a strip, column p is MR contiguous floats.
    // A untransposed is read along its rows, as B above. A short last strip is zero-padded.
    private static void PackA(float* a, float* packed, int m, int k, bool transA, int ic, int mc, int pc, int kc)
    {
        for (int i0 = 0; i0 < mc; i0 += MR)
        {
            float* strip = packed + i0 * kc;
            int rows = Math.Min(MR, mc - i0);
            // Eight floats moved per vector where rows 6 and 7 exist to be read: each store's two
            // extra lanes land in the next column's slot, which the next store overwrites, so the
            // vector loops stop one column early and the last column goes the scalar way.
            int start = 0;                                                  // columns before this were packed by vectors
            if (rows < MR && transA && Avx.IsSupported)
            {
                // A short last strip of Aᵀ (the 4 rows left of a 64-row weight gradient, 256 columns
                // deep): its rows are contiguous in each column, so one masked load takes them all
                // and zeroes the padding lanes, where the scalar loop gathered element by element.
                var mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(rows)).AsSingle();
                float* src = a + (long)pc * m + ic + i0;
                for (; start + 1 < kc; start++, src += m) Avx.MaskLoad(src, mask).Store(strip + start * MR);
            }
            else if (rows == MR && ic + i0 + 8 <= m && Avx.IsSupported)
            {
                if (transA)
                {
                    float* src = a + (long)pc * m + ic + i0;
                    for (; start + 1 < kc; start++, src += m) Vector256.Load(src).Store(strip + start * MR);
                }
                else
                {
                    start = (kc - 1) / 8 * 8;                               // whole blocks of 8 columns, short of the last column
                    PackTransposed8(a + (long)(ic + i0) * k + pc, k, strip, MR, start);
                }
            }
            for (int p = start; p < kc; p++)
            {
                float* dst = strip + p * MR;
                int r = 0;
                if (transA)
                    for (; r < rows; r++) dst[r] = a[(long)(pc + p) * m + ic + i0 + r];
                else
                    for (; r < rows; r++) dst[r] = a[(long)(ic + i0 + r) * k + pc + p];
                for (; r < MR; r++) dst[r] = 0f;
            }
        }
    }

    // Columns [0, cols) of a strip narrower than NR, into c (row stride ldc), by one-vector kernels.
    private static void NarrowKernels(float* a, nint aRow, nint aStep, float* b, int ldb, int kc, float* c, int ldc, int cols)
    {
        for (int j = 0; j < cols;)
        {
            if (Vector512.IsHardwareAccelerated && cols - j > 8)
            {
                MicroKernel16(a, aRow, aStep, b + j, ldb, kc, c + j, ldc);
                j += 16;
            }
            else
            {
                MicroKernel8(a, aRow, aStep, b + j, ldb, kc, c + j, ldc);
                j += 8;
            }
        }
    }

    // MR rows × one Vector512: lane for lane the sums of the wider kernels.
    private static void MicroKernel16(float* a, nint aRow, nint aStep, float* b, int ldb, int kc, float* c, int ldc)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        nint r1 = aRow, r2 = 2 * aRow, r3 = 3 * aRow, r4 = 4 * aRow, r5 = 5 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r5]), b0, c5);
            a += aStep;
            b += ldb;
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc); c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc);
    }

    // MR rows × one Vector256.
    private static void MicroKernel8(float* a, nint aRow, nint aStep, float* b, int ldb, int kc, float* c, int ldc)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        nint r1 = aRow, r2 = 2 * aRow, r3 = 3 * aRow, r4 = 4 * aRow, r5 = 5 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r1]), b0, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r2]), b0, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r3]), b0, c3);
            c4 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r4]), b0, c4);
            c5 = Vector256.FusedMultiplyAdd(Vector256.Create(a[r5]), b0, c5);
            a += aStep;
            b += ldb;
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc); c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(float* a, nint aRow, nint aStep, float* b, int ldb, int kc, float* c, int ldc, bool accumulate, float* bias)
    {
        if (Vector512.IsHardwareAccelerated) MicroKernel512(a, aRow, aStep, b, ldb, kc, c, ldc, accumulate, bias);
        else
        {
            MicroKernel256(a, aRow, aStep, b, ldb, kc, c, ldc, accumulate);
            AddBias(c, ldc, MR, NR, bias);
        }
    }

    // The main tile: 6 rows × four Vector512, 24 accumulators in registers. A bias (null: none) is
    // added to the finished sums on their way out, as AddBias would add it afterwards: the tile's rows
    // are not read and written a second time (in the CartPole step that pass took 1.25% of the time).
    private static void MicroKernel512(float* a, nint aRow, nint aStep, float* b, int ldb, int kc, float* c, int ldc, bool accumulate, float* bias)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        nint r1 = aRow, r2 = 2 * aRow, r3 = 3 * aRow, r4 = 4 * aRow, r5 = 5 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var b3 = Vector512.Load(b + 48);
            Vector512<float> x;
            x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01); c02 = Vector512.FusedMultiplyAdd(x, b2, c02); c03 = Vector512.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(a[r1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11); c12 = Vector512.FusedMultiplyAdd(x, b2, c12); c13 = Vector512.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(a[r2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21); c22 = Vector512.FusedMultiplyAdd(x, b2, c22); c23 = Vector512.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(a[r3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31); c32 = Vector512.FusedMultiplyAdd(x, b2, c32); c33 = Vector512.FusedMultiplyAdd(x, b3, c33);
            x = Vector512.Create(a[r4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41); c42 = Vector512.FusedMultiplyAdd(x, b2, c42); c43 = Vector512.FusedMultiplyAdd(x, b3, c43);
            x = Vector512.Create(a[r5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51); c52 = Vector512.FusedMultiplyAdd(x, b2, c52); c53 = Vector512.FusedMultiplyAdd(x, b3, c53);
            a += aStep;
            b += ldb;
        }
        float* rightBias = BiasAt(bias, 32);                                // the tile's right half
        Store512(c + 0 * ldc, c00, c01, accumulate, bias);
        Store512(c + 0 * ldc + 32, c02, c03, accumulate, rightBias);
        Store512(c + 1 * ldc, c10, c11, accumulate, bias);
        Store512(c + 1 * ldc + 32, c12, c13, accumulate, rightBias);
        Store512(c + 2 * ldc, c20, c21, accumulate, bias);
        Store512(c + 2 * ldc + 32, c22, c23, accumulate, rightBias);
        Store512(c + 3 * ldc, c30, c31, accumulate, bias);
        Store512(c + 3 * ldc + 32, c32, c33, accumulate, rightBias);
        Store512(c + 4 * ldc, c40, c41, accumulate, bias);
        Store512(c + 4 * ldc + 32, c42, c43, accumulate, rightBias);
        Store512(c + 5 * ldc, c50, c51, accumulate, bias);
        Store512(c + 5 * ldc + 32, c52, c53, accumulate, rightBias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool accumulate, float* bias)
    {
        if (accumulate)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        if (bias != null)
        {
            v0 += Vector512.Load(bias);
            v1 += Vector512.Load(bias + 16);
        }
        v0.Store(c);
        v1.Store(c + 16);
    }

    private static void MicroKernel256(float* a, nint aRow, nint aStep, float* b, int ldb, int kc, float* c, int ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint r1 = aRow, r2 = 2 * aRow, r3 = 3 * aRow, r4 = 4 * aRow, r5 = 5 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            Vector256<float> x;
            x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[r1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[r2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[r3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[r4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[r5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += aStep;
            b += ldb;
        }
        Store256(c, c00, c01, accumulate);
        Store256(c + ldc, c10, c11, accumulate);
        Store256(c + 2 * ldc, c20, c21, accumulate);
        Store256(c + 3 * ldc, c30, c31, accumulate);
        Store256(c + 4 * ldc, c40, c41, accumulate);
        Store256(c + 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }
        v0.Store(c);
        v1.Store(c + 8);
    }

    private static int ReadThreadSetting()
    {
        var text = Environment.GetEnvironmentVariable("APPRENTICE_NUM_THREADS");
        return int.TryParse(text, out int n) && n > 0 ? n : Environment.ProcessorCount;
    }
}
