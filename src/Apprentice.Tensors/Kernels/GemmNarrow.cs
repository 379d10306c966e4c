using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Apprentice.Tensors.Kernels;

// Products with at most eight columns (a policy's action logits, a value head, the first layer's
// weight gradient of a CartPole net), and products over at most eight terms (a CartPole net's
// first layer, the input gradient of an output layer). The blocked path would pad them to a 32-wide strip and pack
// all of A for a handful of outputs; these kernels read A in place and keep the few columns in
// registers. Each element is summed exactly as the blocked path sums it — multiply-adds in order
// from zero over runs of PanelDepth terms, each run then added to what C holds — so which path a
// product takes never changes its bits.
internal static unsafe partial class Gemm
{
    private const int NarrowColumns = 8;
    private const int ShallowDepth = 8;
    private const long SingleThreadKernelLimit = 1L << 21;   // these kernels run on one thread: larger products go to the split blocked path

    /// <summary>Whether a blocked product sums so few terms that packing would cost more than the sums: the shallow kernel.</summary>
    private static bool IsShallow(int k, long work) => k <= ShallowDepth && work < SingleThreadKernelLimit && Vector256.IsHardwareAccelerated;

    // k ≤ 8 (one panel, stored): row i of C = Σₚ op(A)[i, p]·op(B)[p, :], a block of the row in
    // registers while the few terms go by, each a multiply-add in order from zero as in the blocked path.
    private static void Shallow(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB, float* bias)
    {
        float[]? rented = null;
        float* rows = b;                                       // op(B) as k rows of n
        if (transB)
        {
            rented = System.Buffers.ArrayPool<float>.Shared.Rent(k * n);
            fixed (float* packed = rented)
                for (int j = 0; j < n; j++)
                    for (int p = 0; p < k; p++) packed[p * n + j] = b[(long)j * k + p];
        }
        // op(A)[i, p] = a[i·rowStep + p·termStep]
        long rowStep = transA ? 1 : k, termStep = transA ? m : 1;
        fixed (float* packed = rented)
        {
            if (rented is not null) rows = packed;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)                      // each lane's multiply-adds are the same at either width
                for (; j + 64 <= n; j += 64)
                {
                    if (k <= HeldDepth) ShallowHeld(a, rowStep, termStep, rows + j, c + j, m, n, k, BiasAt(bias, j));
                    else
                        for (int i = 0; i < m; i++)
                        {
                            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                            float* ai = a + i * rowStep, bp = rows + j;
                            for (int p = 0; p < k; p++, bp += n)
                            {
                                var x = Vector512.Create(ai[p * termStep]);
                                s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp), s0);
                                s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 16), s1);
                                s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 32), s2);
                                s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 48), s3);
                            }
                            float* ci = c + (long)i * n + j;
                            s0.Store(ci); s1.Store(ci + 16); s2.Store(ci + 32); s3.Store(ci + 48);
                            AddBias(ci, n, 1, 64, BiasAt(bias, j));
                        }
                }
            if (j < n)
                for (int i = 0; i < m; i++)
                {
                    ShallowRowTail(a + i * rowStep, termStep, rows, c + (long)i * n, n, k, j);
                    AddBias(c + (long)i * n + j, n, 1, n - j, BiasAt(bias, j));
                }
        }
        if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
    }

    // Terms at which the shallow kernel holds a 64-column block of op(B) in registers (16 vectors)
    // across all rows instead of loading it again per row: 2.9 → 1.3 µs on CartPole's 256×4×64
    // first layer, which is bound by multiply-adds once the loads are gone.
    private const int HeldDepth = 4;

    // C[:, block] for one 64-column block of op(B) (k ≤ HeldDepth rows of n, from rows), the same
    // multiply-adds as the row loop: a term the product lacks is skipped, never padded with zeros
    // (a padded −0 sum would come out +0). The block's bias (null: none) is added to the sums.
    private static void ShallowHeld(float* a, long rowStep, long termStep, float* rows, float* c, int m, int n, int k, float* bias)
    {
        Vector512<float> b00 = Vector512.Load(rows), b01 = Vector512.Load(rows + 16), b02 = Vector512.Load(rows + 32), b03 = Vector512.Load(rows + 48);
        Vector512<float> b10 = default, b11 = default, b12 = default, b13 = default, b20 = default, b21 = default, b22 = default, b23 = default;
        Vector512<float> b30 = default, b31 = default, b32 = default, b33 = default;
        if (k > 1) { float* r = rows + n; b10 = Vector512.Load(r); b11 = Vector512.Load(r + 16); b12 = Vector512.Load(r + 32); b13 = Vector512.Load(r + 48); }
        if (k > 2) { float* r = rows + 2 * n; b20 = Vector512.Load(r); b21 = Vector512.Load(r + 16); b22 = Vector512.Load(r + 32); b23 = Vector512.Load(r + 48); }
        if (k > 3) { float* r = rows + 3 * n; b30 = Vector512.Load(r); b31 = Vector512.Load(r + 16); b32 = Vector512.Load(r + 32); b33 = Vector512.Load(r + 48); }
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        if (bias != null) { c0 = Vector512.Load(bias); c1 = Vector512.Load(bias + 16); c2 = Vector512.Load(bias + 32); c3 = Vector512.Load(bias + 48); }
        for (int i = 0; i < m; i++)
        {
            float* ai = a + i * rowStep;
            var x = Vector512.Create(ai[0]);
            var s0 = Vector512.FusedMultiplyAdd(x, b00, default);
            var s1 = Vector512.FusedMultiplyAdd(x, b01, default);
            var s2 = Vector512.FusedMultiplyAdd(x, b02, default);
            var s3 = Vector512.FusedMultiplyAdd(x, b03, default);
            if (k > 1)
            {
                x = Vector512.Create(ai[termStep]);
                s0 = Vector512.FusedMultiplyAdd(x, b10, s0); s1 = Vector512.FusedMultiplyAdd(x, b11, s1);
                s2 = Vector512.FusedMultiplyAdd(x, b12, s2); s3 = Vector512.FusedMultiplyAdd(x, b13, s3);
            }
            if (k > 2)
            {
                x = Vector512.Create(ai[2 * termStep]);
                s0 = Vector512.FusedMultiplyAdd(x, b20, s0); s1 = Vector512.FusedMultiplyAdd(x, b21, s1);
                s2 = Vector512.FusedMultiplyAdd(x, b22, s2); s3 = Vector512.FusedMultiplyAdd(x, b23, s3);
            }
            if (k > 3)
            {
                x = Vector512.Create(ai[3 * termStep]);
                s0 = Vector512.FusedMultiplyAdd(x, b30, s0); s1 = Vector512.FusedMultiplyAdd(x, b31, s1);
                s2 = Vector512.FusedMultiplyAdd(x, b32, s2); s3 = Vector512.FusedMultiplyAdd(x, b33, s3);
            }
            float* ci = c + (long)i * n;
            if (bias != null) { s0 += c0; s1 += c1; s2 += c2; s3 += c3; }    // after the sums, as the bias pass adds it
            s0.Store(ci); s1.Store(ci + 16); s2.Store(ci + 32); s3.Store(ci + 48);
        }
    }

    // Columns from j on of one row of C (the whole row without AVX-512): 32-, 8- and 1-column blocks.
    private static void ShallowRowTail(float* ai, long termStep, float* rows, float* ci, int n, int k, int j)
    {
        int w = Vector256<float>.Count;
        for (; j + 4 * w <= n; j += 4 * w)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* bp = rows + j;
            for (int p = 0; p < k; p++, bp += n)
            {
                var x = Vector256.Create(ai[p * termStep]);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + w), s1);
                s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 2 * w), s2);
                s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 3 * w), s3);
            }
            s0.Store(ci + j); s1.Store(ci + j + w); s2.Store(ci + j + 2 * w); s3.Store(ci + j + 3 * w);
        }
        for (; j + w <= n; j += w)
        {
            var s0 = Vector256<float>.Zero;
            float* bp = rows + j;
            for (int p = 0; p < k; p++, bp += n) s0 = Vector256.FusedMultiplyAdd(Vector256.Create(ai[p * termStep]), Vector256.Load(bp), s0);
            s0.Store(ci + j);
        }
        for (; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(ai[p * termStep], rows[(long)p * n + j], sum);
            ci[j] = sum;
        }
    }

    /// <summary>Whether a blocked product goes to the narrow kernels instead (one thread: their products are small).</summary>
    private static bool IsNarrow(int n, long work) => n <= NarrowColumns && work < SingleThreadKernelLimit && Vector256.IsHardwareAccelerated;

    private static void Narrow(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB)
    {
        // B's panel as kc rows of eight (zero-padded) columns: one vector load per term for the
        // row-wise kernel, one scalar per column for the column-wise one.
        int kcMax = Math.Min(KC, k);
        float* panel = stackalloc float[kcMax * NarrowColumns];
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            new Span<float>(panel, kc * NarrowColumns).Clear();
            if (transB)
                for (int j = 0; j < n; j++)
                {
                    float* column = b + (long)j * k + pc;                       // row j of the stored B, read along
                    for (int p = 0; p < kc; p++) panel[p * NarrowColumns + j] = column[p];
                }
            else
                for (int p = 0; p < kc; p++)
                {
                    float* row = b + (long)(pc + p) * n;
                    for (int j = 0; j < n; j++) panel[p * NarrowColumns + j] = row[j];
                }
            bool accumulate = pc > 0;
            if (transA) NarrowOverRows(a + (long)pc * m, panel, c, m, n, kc, accumulate);
            else NarrowOverColumns(a + pc, panel, c, m, n, k, kc, accumulate);
        }
    }

    // Aᵀ stored k×m: a row of storage holds consecutive rows of op(A), so 16 rows of C are one vector
    // per column of B. Lane i of acc j is C[i, j].
    private static void NarrowOverRows(float* a, float* panel, float* c, int m, int n, int kc, bool accumulate)
    {
        float* lanes = stackalloc float[NarrowColumns * 16];
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // At most four columns (CartPole's 4-input first layer): 32 rows × 4 columns per pass
            // instead of 16 rows × 8, half of them padding. 3.2 → 1.3 µs on its 64×256×4 weight gradient.
            if (n <= 4)
                for (; i + 32 <= m; i += 32)
                {
                    Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
                    float* ap = a + i, bp = panel;
                    for (int p = 0; p < kc; p++, ap += m, bp += NarrowColumns)
                    {
                        var x0 = Vector512.Load(ap);
                        var x1 = Vector512.Load(ap + 16);
                        var y0 = Vector512.Create(bp[0]);
                        var y1 = Vector512.Create(bp[1]);
                        var y2 = Vector512.Create(bp[2]);
                        var y3 = Vector512.Create(bp[3]);
                        c00 = Vector512.FusedMultiplyAdd(x0, y0, c00); c01 = Vector512.FusedMultiplyAdd(x0, y1, c01);
                        c02 = Vector512.FusedMultiplyAdd(x0, y2, c02); c03 = Vector512.FusedMultiplyAdd(x0, y3, c03);
                        c10 = Vector512.FusedMultiplyAdd(x1, y0, c10); c11 = Vector512.FusedMultiplyAdd(x1, y1, c11);
                        c12 = Vector512.FusedMultiplyAdd(x1, y2, c12); c13 = Vector512.FusedMultiplyAdd(x1, y3, c13);
                    }
                    c00.Store(lanes); c01.Store(lanes + 16); c02.Store(lanes + 32); c03.Store(lanes + 48);
                    c10.Store(lanes + 64); c11.Store(lanes + 80); c12.Store(lanes + 96); c13.Store(lanes + 112);
                    StoreTransposed(lanes, 16, c + (long)i * n, 16, n, accumulate);
                    StoreTransposed(lanes + 64, 16, c + (long)(i + 16) * n, 16, n, accumulate);
                }
            for (; i + 16 <= m; i += 16)
            {
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                float* ap = a + i, bp = panel;
                for (int p = 0; p < kc; p++, ap += m, bp += NarrowColumns)
                {
                    var x = Vector512.Load(ap);
                    c0 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[0]), c0);
                    c1 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[1]), c1);
                    c2 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[2]), c2);
                    c3 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[3]), c3);
                    c4 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[4]), c4);
                    c5 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[5]), c5);
                    c6 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[6]), c6);
                    c7 = Vector512.FusedMultiplyAdd(x, Vector512.Create(bp[7]), c7);
                }
                c0.Store(lanes); c1.Store(lanes + 16); c2.Store(lanes + 32); c3.Store(lanes + 48);
                c4.Store(lanes + 64); c5.Store(lanes + 80); c6.Store(lanes + 96); c7.Store(lanes + 112);
                StoreTransposed(lanes, 16, c + (long)i * n, 16, n, accumulate);
            }
        }
        for (; i + 8 <= m; i += 8)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            float* ap = a + i, bp = panel;
            for (int p = 0; p < kc; p++, ap += m, bp += NarrowColumns)
            {
                var x = Vector256.Load(ap);
                c0 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[0]), c0);
                c1 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[1]), c1);
                c2 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[2]), c2);
                c3 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[3]), c3);
                c4 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[4]), c4);
                c5 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[5]), c5);
                c6 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[6]), c6);
                c7 = Vector256.FusedMultiplyAdd(x, Vector256.Create(bp[7]), c7);
            }
            c0.Store(lanes); c1.Store(lanes + 8); c2.Store(lanes + 16); c3.Store(lanes + 24);
            c4.Store(lanes + 32); c5.Store(lanes + 40); c6.Store(lanes + 48); c7.Store(lanes + 56);
            StoreTransposed(lanes, 8, c + (long)i * n, 8, n, accumulate);
        }
        for (; i < m; i++)                                   // the last rows, one at a time: the same sums in scalars
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < kc; p++) sum = MathF.FusedMultiplyAdd(a[(long)p * m + i], panel[p * NarrowColumns + j], sum);
                float* cij = c + (long)i * n + j;
                *cij = accumulate ? *cij + sum : sum;
            }
    }

    // A stored m×k: rows of A are read in place, eight at a time, each term of a row broadcast across
    // the eight columns. Lane j of acc r is C[r, j].
    private static void NarrowOverColumns(float* a, float* panel, float* c, int m, int n, int lda, int kc, bool accumulate)
    {
        float* lanes = stackalloc float[NarrowColumns * NarrowColumns];
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            float* a0 = a + (long)i * lda;
            float* a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
            float* bp = panel;
            for (int p = 0; p < kc; p++, bp += NarrowColumns)
            {
                var y = Vector256.Load(bp);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[p]), y, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[p]), y, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[p]), y, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[p]), y, c3);
                c4 = Vector256.FusedMultiplyAdd(Vector256.Create(a4[p]), y, c4);
                c5 = Vector256.FusedMultiplyAdd(Vector256.Create(a5[p]), y, c5);
                c6 = Vector256.FusedMultiplyAdd(Vector256.Create(a6[p]), y, c6);
                c7 = Vector256.FusedMultiplyAdd(Vector256.Create(a7[p]), y, c7);
            }
            c0.Store(lanes); c1.Store(lanes + 8); c2.Store(lanes + 16); c3.Store(lanes + 24);
            c4.Store(lanes + 32); c5.Store(lanes + 40); c6.Store(lanes + 48); c7.Store(lanes + 56);
            StoreRows(lanes, c + (long)i * n, 8, n, accumulate);
        }
        for (; i < m; i++)
        {
            var acc = Vector256<float>.Zero;
            float* ai = a + (long)i * lda;
            for (int p = 0; p < kc; p++) acc = Vector256.FusedMultiplyAdd(Vector256.Create(ai[p]), Vector256.Load(panel + p * NarrowColumns), acc);
            acc.Store(lanes);
            StoreRows(lanes, c + (long)i * n, 1, n, accumulate);
        }
    }

    // lanes[j·stride + r] is row r, column j of a block of C (row stride n); the run is added to C
    // after the first panel, as the blocked path's stores do.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTransposed(float* lanes, int stride, float* c, int rows, int n, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
            {
                float* cij = c + (long)r * n + j;
                *cij = accumulate ? *cij + lanes[j * stride + r] : lanes[j * stride + r];
            }
    }

    // lanes[r·8 + j] is row r, column j of a block of C (row stride n).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows(float* lanes, float* c, int rows, int n, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
            {
                float* cij = c + (long)r * n + j;
                *cij = accumulate ? *cij + lanes[r * NarrowColumns + j] : lanes[r * NarrowColumns + j];
            }
    }
}
