using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apprentice.Tensors.Kernels;

/// <summary>
/// Convolution of one image without unfolding it: each output value is W's row times the window's
/// pixels, summed tap by tap. The image is first split into its stride phases (row pixels
/// ix ≡ p mod stride side by side), so a tap's pixels for 8 neighbouring outputs of a row are 8
/// contiguous floats: one vector load, where the unfold would have copied them one by one into a
/// window buffer only to read them back. Each output value is summed exactly as
/// <see cref="Gemm"/> sums W·unfold(x): fused multiply-adds over the taps in order from zero, in
/// runs of <see cref="Gemm.PanelDepth"/> taps whose sums are added in order; so the results are
/// bit-identical to the unfold-and-multiply path.
/// </summary>
internal static unsafe class DirectConvolution
{
    private const int Lanes = 8;            // outputs of a row per vector
    private const int Rows = 8;             // out channels per kernel call
    private const int MaxTaps = 4096;       // the tap offsets live on the stack

    /// <summary>
    /// Whether the direct kernels handle this geometry: no padding, out channels in blocks of 8,
    /// output rows at least a vector wide, and an image's product large enough that
    /// <see cref="Gemm"/> would sum it blockwise (the sums these kernels reproduce).
    /// </summary>
    public static bool Fits(Window w, int outChannels) =>
        Avx.IsSupported && Vector256.IsHardwareAccelerated && w.Padding == 0 && outChannels % Rows == 0 && w.OutW >= Lanes && w.PatchSize <= MaxTaps
        && Gemm.IsBlocked(outChannels, w.OutH * w.OutW, w.PatchSize);

    private static int PhaseLength(Window w) => (w.Width + w.Stride - 1) / w.Stride;

    /// <summary>Floats of one image split into stride phases: [C, H, stride, ⌈W / stride⌉].</summary>
    public static int PhasesSize(Window w) => w.Channels * w.Height * w.Stride * PhaseLength(w);

    /// <summary>The weight [OC, C, kh, kw] as [C·kh·kw, OC], so that one tap's weights for all out channels are contiguous.</summary>
    public static Tensor TapMajor(Tensor weight)
    {
        int outChannels = weight.Shape[0], taps = weight.Shape[1] * weight.Shape[2] * weight.Shape[3];
        var result = Tensor.Output([taps, outChannels], zeroed: false);
        var from = weight.Span;
        var to = result.AsSpan();
        for (int o = 0; o < outChannels; o++)
            for (int t = 0; t < taps; t++) to[t * outChannels + o] = from[o * taps + t];
        return result;
    }

    /// <summary>Each tap's (ch, ky, kx) offset into the phases, for output row 0 and column 0 (row oy adds oy·stride²·phase length).</summary>
    public static void TapOffsets(Window w, int* offsets)
    {
        int s = w.Stride, length = PhaseLength(w);
        for (int ch = 0, t = 0; ch < w.Channels; ch++)
            for (int ky = 0; ky < w.KernelH; ky++)
                for (int kx = 0; kx < w.KernelW; kx++, t++)
                    offsets[t] = ((ch * w.Height + ky) * s + kx % s) * length + kx / s;
    }

    /// <summary>
    /// One image [C, H, W] → its output [OC, OH·OW], overwritten; <paramref name="phases"/> is
    /// scratch of <see cref="PhasesSize"/> floats, <paramref name="taps"/> the weight as
    /// <see cref="TapMajor"/> gives it, <paramref name="offsets"/> as <see cref="TapOffsets"/>.
    /// </summary>
    public static void Image(ReadOnlySpan<float> image, Span<float> phases, ReadOnlySpan<float> taps, int* offsets, Span<float> output, Window w, int outChannels)
    {
        int s = w.Stride, length = PhaseLength(w), positions = w.OutH * w.OutW, patch = w.PatchSize;
        fixed (float* pi = image, pp = phases, pt = taps, po = output)
        {
            for (int line = 0; line < w.Channels * w.Height; line++)
                Deinterleave(pi + line * w.Width, pp + line * s * length, w.Width, s, length, scatter: false);
            // A row's outputs in vectors at 0, 8, 16, …; the last one ends at the row's end,
            // overlapping its neighbour, whose lanes it computes again to the same values.
            int vectors = (w.OutW + Lanes - 1) / Lanes;
            for (int oy = 0; oy < w.OutH; oy++)
            {
                float* row = pp + oy * s * s * length;
                for (int v = 0; v < vectors; v += 2)
                {
                    int a = Math.Min(v * Lanes, w.OutW - Lanes), b = Math.Min((v + 1) * Lanes, w.OutW - Lanes);
                    for (int o = 0; o < outChannels; o += Rows)
                        for (int t = 0; t < patch; t += Gemm.PanelDepth)
                            Kernel(row, offsets, pt + o, outChannels, t, Math.Min(patch, t + Gemm.PanelDepth), a, b,
                                po + (long)o * positions + oy * w.OutW, positions, accumulate: t > 0);
                }
            }
        }
    }

    /// <summary>
    /// 8 out channels × two vectors of a row's outputs (columns a and b), summed over taps
    /// [first, end): stored, or added to what the output holds (a later run of taps).
    /// </summary>
    private static void Kernel(float* row, int* offsets, float* taps, int ldt, int first, int end, int a, int b, float* output, int ldo, bool accumulate)
    {
        Vector256<float> c0a = default, c1a = default, c2a = default, c3a = default, c4a = default, c5a = default, c6a = default, c7a = default;
        Vector256<float> c0b = default, c1b = default, c2b = default, c3b = default, c4b = default, c5b = default, c6b = default, c7b = default;
        for (int t = first; t < end; t++)
        {
            float* pixels = row + offsets[t];
            var xa = Vector256.Load(pixels + a);
            var xb = Vector256.Load(pixels + b);
            float* k = taps + (long)t * ldt;
            Vector256<float> m;
            m = Vector256.Create(k[0]); c0a = Vector256.FusedMultiplyAdd(m, xa, c0a); c0b = Vector256.FusedMultiplyAdd(m, xb, c0b);
            m = Vector256.Create(k[1]); c1a = Vector256.FusedMultiplyAdd(m, xa, c1a); c1b = Vector256.FusedMultiplyAdd(m, xb, c1b);
            m = Vector256.Create(k[2]); c2a = Vector256.FusedMultiplyAdd(m, xa, c2a); c2b = Vector256.FusedMultiplyAdd(m, xb, c2b);
            m = Vector256.Create(k[3]); c3a = Vector256.FusedMultiplyAdd(m, xa, c3a); c3b = Vector256.FusedMultiplyAdd(m, xb, c3b);
            m = Vector256.Create(k[4]); c4a = Vector256.FusedMultiplyAdd(m, xa, c4a); c4b = Vector256.FusedMultiplyAdd(m, xb, c4b);
            m = Vector256.Create(k[5]); c5a = Vector256.FusedMultiplyAdd(m, xa, c5a); c5b = Vector256.FusedMultiplyAdd(m, xb, c5b);
            m = Vector256.Create(k[6]); c6a = Vector256.FusedMultiplyAdd(m, xa, c6a); c6b = Vector256.FusedMultiplyAdd(m, xb, c6b);
            m = Vector256.Create(k[7]); c7a = Vector256.FusedMultiplyAdd(m, xa, c7a); c7b = Vector256.FusedMultiplyAdd(m, xb, c7b);
        }
        Store(output, a, b, c0a, c0b, accumulate);
        Store(output + ldo, a, b, c1a, c1b, accumulate);
        Store(output + 2 * ldo, a, b, c2a, c2b, accumulate);
        Store(output + 3 * ldo, a, b, c3a, c3b, accumulate);
        Store(output + 4 * ldo, a, b, c4a, c4b, accumulate);
        Store(output + 5 * ldo, a, b, c5a, c5b, accumulate);
        Store(output + 6 * ldo, a, b, c6a, c6b, accumulate);
        Store(output + 7 * ldo, a, b, c7a, c7b, accumulate);
    }

    // Both old values are read before either store, so overlapping columns get one addition each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* output, int a, int b, Vector256<float> va, Vector256<float> vb, bool accumulate)
    {
        if (accumulate)
        {
            var oldA = Vector256.Load(output + a);
            var oldB = Vector256.Load(output + b);
            va += oldA;
            vb += oldB;
        }
        va.Store(output + a);
        vb.Store(output + b);
    }

    /// <summary>
    /// The weight gradient of one image, dY_b·unfold(x_b)ᵀ: [OC, L] × [C, H, W] → [OC, C·kh·kw],
    /// overwritten. Vectorised along a kernel row: for one window position, the taps kx = 0…kw−1
    /// of one (ch, ky) read kw contiguous pixels, so a (masked) vector load gives up to 8 taps, and
    /// 8 out channels' gradients are broadcast against it. Each value is summed over the positions
    /// in order as <see cref="Gemm"/> sums the product (runs of <see cref="Gemm.PanelDepth"/>), so
    /// the results are bit-identical to multiplying by the unfolded image.
    /// </summary>
    public static void WeightGradient(ReadOnlySpan<float> image, ReadOnlySpan<float> gradient, Span<float> target, Window w, int outChannels)
    {
        int positions = w.OutH * w.OutW, patch = w.PatchSize;
        int segments = (w.KernelW + Lanes - 1) / Lanes, units = w.Channels * w.KernelH * segments;
        fixed (float* pi = image, pg = gradient, pt = target)
        {
            for (int o = 0; o < outChannels; o += Rows)
                for (int u = 0; u < units; u += 2)
                {
                    int v = Math.Min(u + 1, units - 1);          // an odd last unit is paired with itself
                    for (int t = 0; t < positions; t += Gemm.PanelDepth)
                        WeightKernel(pi, pg + (long)o * positions, positions, w, segments, u, v, t, Math.Min(positions, t + Gemm.PanelDepth),
                            pt + (long)o * patch, patch, accumulate: t > 0);
                }
        }
    }

    /// <summary>
    /// 8 out channels × two units (a unit: up to 8 taps kx of one (ch, ky)), summed over positions
    /// [first, end): stored, or added to what the target holds (a later run of positions).
    /// </summary>
    private static void WeightKernel(float* image, float* gradient, int ldg, Window w, int segments, int u, int v, int first, int end, float* target, int ldt, bool accumulate)
    {
        var maskU = UnitMask(w, segments, u, out int pixelU, out int tapU);
        var maskV = UnitMask(w, segments, v, out int pixelV, out int tapV);
        Vector256<float> c0a = default, c1a = default, c2a = default, c3a = default, c4a = default, c5a = default, c6a = default, c7a = default;
        Vector256<float> c0b = default, c1b = default, c2b = default, c3b = default, c4b = default, c5b = default, c6b = default, c7b = default;
        int oy = first / w.OutW, ox = first % w.OutW, s = w.Stride;
        for (int p = first; p < end; p++)
        {
            int at = oy * s * w.Width + ox * s;
            var xa = Avx.MaskLoad(image + pixelU + at, maskU);   // masked: lanes past the kernel row may lie past the image
            var xb = Avx.MaskLoad(image + pixelV + at, maskV);
            float* g = gradient + p;
            Vector256<float> m;
            m = Vector256.Create(g[0]); c0a = Vector256.FusedMultiplyAdd(m, xa, c0a); c0b = Vector256.FusedMultiplyAdd(m, xb, c0b);
            m = Vector256.Create(g[ldg]); c1a = Vector256.FusedMultiplyAdd(m, xa, c1a); c1b = Vector256.FusedMultiplyAdd(m, xb, c1b);
            m = Vector256.Create(g[2 * ldg]); c2a = Vector256.FusedMultiplyAdd(m, xa, c2a); c2b = Vector256.FusedMultiplyAdd(m, xb, c2b);
            m = Vector256.Create(g[3 * ldg]); c3a = Vector256.FusedMultiplyAdd(m, xa, c3a); c3b = Vector256.FusedMultiplyAdd(m, xb, c3b);
            m = Vector256.Create(g[4 * ldg]); c4a = Vector256.FusedMultiplyAdd(m, xa, c4a); c4b = Vector256.FusedMultiplyAdd(m, xb, c4b);
            m = Vector256.Create(g[5 * ldg]); c5a = Vector256.FusedMultiplyAdd(m, xa, c5a); c5b = Vector256.FusedMultiplyAdd(m, xb, c5b);
            m = Vector256.Create(g[6 * ldg]); c6a = Vector256.FusedMultiplyAdd(m, xa, c6a); c6b = Vector256.FusedMultiplyAdd(m, xb, c6b);
            m = Vector256.Create(g[7 * ldg]); c7a = Vector256.FusedMultiplyAdd(m, xa, c7a); c7b = Vector256.FusedMultiplyAdd(m, xb, c7b);
            if (++ox == w.OutW)
            {
                ox = 0;
                oy++;
            }
        }
        StoreMasked(target, tapU, tapV, maskU, maskV, c0a, c0b, accumulate);
        StoreMasked(target + ldt, tapU, tapV, maskU, maskV, c1a, c1b, accumulate);
        StoreMasked(target + 2 * ldt, tapU, tapV, maskU, maskV, c2a, c2b, accumulate);
        StoreMasked(target + 3 * ldt, tapU, tapV, maskU, maskV, c3a, c3b, accumulate);
        StoreMasked(target + 4 * ldt, tapU, tapV, maskU, maskV, c4a, c4b, accumulate);
        StoreMasked(target + 5 * ldt, tapU, tapV, maskU, maskV, c5a, c5b, accumulate);
        StoreMasked(target + 6 * ldt, tapU, tapV, maskU, maskV, c6a, c6b, accumulate);
        StoreMasked(target + 7 * ldt, tapU, tapV, maskU, maskV, c7a, c7b, accumulate);
    }

    // Unit u = (ch·kh + ky)·segments + segment: its lanes (taps kx inside the kernel row), its
    // first pixel (window position 0) and its first tap (the target column).
    private static Vector256<float> UnitMask(Window w, int segments, int u, out int pixel, out int tap)
    {
        int row = u / segments, kx = u % segments * Lanes;                 // row = ch·kh + ky
        int ch = row / w.KernelH, ky = row % w.KernelH;
        pixel = (ch * w.Height + ky) * w.Width + kx;
        tap = row * w.KernelW + kx;
        int lanes = Math.Min(Lanes, w.KernelW - kx);
        return Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(lanes)).AsSingle();
    }

    // As Store, through the units' masks: both old values are read before either store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked(float* target, int a, int b, Vector256<float> maskA, Vector256<float> maskB, Vector256<float> va, Vector256<float> vb, bool accumulate)
    {
        if (accumulate)
        {
            var oldA = Avx.MaskLoad(target + a, maskA);
            var oldB = Avx.MaskLoad(target + b, maskB);
            va += oldA;
            vb += oldB;
        }
        Avx.MaskStore(target + a, maskA, va);
        Avx.MaskStore(target + b, maskB, vb);
    }

    /// <summary>
    /// Adds one image's window columns [C·kh·kw, L] back into its pixels [C, H, W] (the fold, for
    /// geometries that <see cref="Fits"/>); <paramref name="phases"/> is scratch of
    /// <see cref="PhasesSize"/> floats. In the stride phases a tap's pixels for one output row
    /// are contiguous, so each tap and row is one vector add (the last vector masked) instead of a
    /// strided scalar one; taps are added in the fold's order, so the sums are the same bits.
    /// </summary>
    public static void Fold(ReadOnlySpan<float> cols, Span<float> pixels, Span<float> phases, Window w)
    {
        int s = w.Stride, length = PhaseLength(w), positions = w.OutH * w.OutW;
        var tail = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(w.OutW % Lanes)).AsSingle();
        int whole = w.OutW / Lanes * Lanes;
        fixed (float* pc = cols, px = pixels, pp = phases)
        {
            for (int line = 0; line < w.Channels * w.Height; line++)
                Deinterleave(px + line * w.Width, pp + line * s * length, w.Width, s, length, scatter: false);
            for (int ch = 0, tap = 0; ch < w.Channels; ch++)
                for (int ky = 0; ky < w.KernelH; ky++)
                    for (int kx = 0; kx < w.KernelW; kx++, tap++)
                    {
                        float* run = pc + (long)tap * positions;
                        float* phase = pp + ((ch * w.Height + ky) * s + kx % s) * length + kx / s;
                        for (int oy = 0; oy < w.OutH; oy++, run += w.OutW, phase += s * s * length)
                        {
                            int i = 0;
                            for (; i < whole; i += Lanes) (Vector256.Load(phase + i) + Vector256.Load(run + i)).Store(phase + i);
                            if (i < w.OutW) Avx.MaskStore(phase + i, tail, Avx.MaskLoad(phase + i, tail) + Avx.MaskLoad(run + i, tail));
                        }
                    }
            for (int line = 0; line < w.Channels * w.Height; line++)
                Deinterleave(px + line * w.Width, pp + line * s * length, w.Width, s, length, scatter: true);
        }
    }

    /// <summary>A row's pixels into its stride phases (phase p holds pixels p, p + s, p + 2s, … at p·phaseLength), or back.</summary>
    public static void Deinterleave(float* line, float* phases, int width, int s, int phaseLength, bool scatter)
    {
        for (int p = 0; p < s; p++)
        {
            float* phase = phases + p * phaseLength;
            if (scatter) for (int q = 0, ix = p; ix < width; q++, ix += s) line[ix] = phase[q];
            else for (int q = 0, ix = p; ix < width; q++, ix += s) phase[q] = line[ix];
        }
    }
}
