namespace Apprentice.Tensors;

/// <summary>Geometry of a sliding window over [N, C, H, W] images.</summary>
internal readonly record struct Window(int Channels, int Height, int Width, int KernelH, int KernelW, int Stride, int Padding)
{
    public int OutH => (Height + 2 * Padding - KernelH) / Stride + 1;
    public int OutW => (Width + 2 * Padding - KernelW) / Stride + 1;
    public int PatchSize => Channels * KernelH * KernelW;
}

// Convolution by im2col: Im2Col (unfold) and Col2Im (fold) are each other's adjoints, so conv2d,
// composed as unfold → matmul, is twice differentiable with no rule of its own. Max-pooling is
// unfold → max over the window.
public sealed partial class Tensor
{
    /// <summary>
    /// Unfolds sliding windows of an image batch: [N, C, H, W] → [N, OH·OW, C·kh·kw], each row one
    /// window in (channel, row, column) order; zero padding on all sides.
    /// </summary>
    public Tensor Im2Col(int kernelH, int kernelW, int stride = 1, int padding = 0)
    {
        var w = CheckWindow("Im2Col", kernelH, kernelW, stride, padding);
        int batch = _shape[0];
        var y = Output([batch, w.OutH * w.OutW, w.PatchSize]);
        Unfold(Span, y.AsSpan(), batch, w);
        return Record(y, "im2col", this, dy => [dy.Col2Im(batch, w)]);
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds each window row back into its pixels.</summary>
    internal Tensor Col2Im(int batch, Window w)
    {
        var y = Output([batch, w.Channels, w.Height, w.Width]);
        Fold(Span, y.AsSpan(), batch, w);
        return Record(y, "col2im", this, dy => [dy.Im2Col(w.KernelH, w.KernelW, w.Stride, w.Padding)]);
    }

    /// <summary>
    /// Unfolds sliding windows with the batch folded into the columns: [N, C, H, W] →
    /// [C·kh·kw, N·OH·OW], column b·OH·OW + oy·OW + ox holding window (oy, ox) of image b, rows in
    /// (channel, row, column) order; zero padding on all sides. The transpose of
    /// <see cref="Im2Col"/>'s layout, so that a convolution is one product W·cols with the wide
    /// N·OH·OW as its column count.
    /// </summary>
    public Tensor Im2ColWide(int kernelH, int kernelW, int stride = 1, int padding = 0)
    {
        var w = CheckWindow("Im2ColWide", kernelH, kernelW, stride, padding);
        int batch = _shape[0];
        var y = Output([w.PatchSize, batch * w.OutH * w.OutW], zeroed: w.Padding > 0);   // without padding every window lies inside
        UnfoldWide(Span, y.AsSpan(), batch, w);
        return Record(y, "im2col_wide", this, dy => [dy.Col2ImWide(batch, w)]);
    }

    /// <summary>The adjoint of <see cref="Im2ColWide"/>: adds each window column back into its pixels.</summary>
    internal Tensor Col2ImWide(int batch, Window w)
    {
        var y = Output([batch, w.Channels, w.Height, w.Width]);
        FoldWide(Span, y.AsSpan(), batch, w);
        return Record(y, "col2im_wide", this, dy => [dy.Im2ColWide(w.KernelH, w.KernelW, w.Stride, w.Padding)]);
    }

    private Window CheckWindow(string op, int kernelH, int kernelW, int stride, int padding)
    {
        if (Rank != 4) throw new ArgumentException($"{op} needs [N, C, H, W]; got {ShapeText}.");
        if (kernelH <= 0 || kernelW <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"{op}: kernel {kernelH}×{kernelW}, stride {stride}, padding {padding} are not valid.");
        var w = new Window(_shape[1], _shape[2], _shape[3], kernelH, kernelW, stride, padding);
        if (w.OutH <= 0 || w.OutW <= 0)
            throw new ArgumentException($"Kernel {kernelH}×{kernelW} with padding {padding} does not fit an image of {w.Height}×{w.Width}.");
        return w;
    }

    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch): input [N, C, H, W], weight [OC, C, kh, kw],
    /// optional bias [OC] → [N, OC, OH, OW].
    /// </summary>
    public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0)
    {
        if (weight.Rank != 4 || Rank != 4 || weight._shape[1] != _shape[1])
            throw new ArgumentException($"Conv2d: input {ShapeText} and weight {weight.ShapeText} must be [N, C, H, W] and [OC, C, kh, kw] with the same C.");
        int batch = _shape[0], outChannels = weight._shape[0];
        var cols = Im2ColWide(weight._shape[2], weight._shape[3], stride, padding);   // [C·kh·kw, N·L]
        int positions = cols._shape[1] / batch;
        int outH = (_shape[2] + 2 * padding - weight._shape[2]) / stride + 1, outW = positions / outH;
        // W·cols has the out channels as rows and every window of the batch as columns: the wide
        // side goes where the GEMM micro-kernel is wide. The bias is added before the permute, while
        // it broadcasts along contiguous rows.
        var rows = weight.Reshape(outChannels, -1).MatMul(cols);                     // [OC, N·L]
        if (bias is not null) rows += bias.Reshape(outChannels, 1);
        return rows.Reshape(outChannels, batch, positions).Transpose(0, 1).Reshape(batch, outChannels, outH, outW);
    }

    /// <summary>Max-pooling over k×k windows with the given stride (default k): [N, C, H, W] → [N, C, OH, OW].</summary>
    public Tensor MaxPool2d(int kernel, int stride = 0)
    {
        if (Rank != 4) throw new ArgumentException($"MaxPool2d needs [N, C, H, W]; got {ShapeText}.");
        if (stride == 0) stride = kernel;
        int n = _shape[0], c = _shape[1];
        var windows = Reshape(n * c, 1, _shape[2], _shape[3]).Im2Col(kernel, kernel, stride);   // [N·C, L, k·k]
        int outH = (_shape[2] - kernel) / stride + 1, outW = (_shape[3] - kernel) / stride + 1;
        return windows.Max(2).Reshape(n, c, outH, outW);
    }

    // Im2Col and Col2Im share one walk over the windows, in opposite directions: Unfold copies each
    // kernel row of the image into the window row, Fold adds it back. Only the columns of a kernel
    // row that fall inside the image are touched ([lo, hi) below), so the inner copy is a plain
    // contiguous block with no per-element bounds test; padding stays the zeros `cols` starts with.
    private static unsafe void Unfold(ReadOnlySpan<float> x, Span<float> cols, int batch, Window w)
    {
        fixed (float* px = x, pc = cols) WalkWindows(px, pc, batch, w, fold: false);
    }

    private static unsafe void Fold(ReadOnlySpan<float> cols, Span<float> x, int batch, Window w)
    {
        fixed (float* px = x, pc = cols) WalkWindows(px, pc, batch, w, fold: true);
    }

    /// <summary>Unfold (image → zeroed cols) or fold (cols added into image) in the [N, L, C·kh·kw] layout.</summary>
    private static unsafe void WalkWindows(float* image, float* cols, int batch, Window w, bool fold)
    {
        int l = w.OutH * w.OutW, p = w.PatchSize, imageSize = w.Channels * w.Height * w.Width;
        for (int b = 0; b < batch; b++)
            for (int oy = 0; oy < w.OutH; oy++)
                for (int ox = 0; ox < w.OutW; ox++)
                {
                    float* row = cols + ((long)b * l + oy * w.OutW + ox) * p;
                    int ix0 = ox * w.Stride - w.Padding;
                    int lo = Math.Max(0, -ix0), hi = Math.Min(w.KernelW, w.Width - ix0);
                    if (hi <= lo) continue;
                    for (int ch = 0; ch < w.Channels; ch++)
                        for (int ky = 0; ky < w.KernelH; ky++)
                        {
                            int iy = oy * w.Stride + ky - w.Padding;
                            if ((uint)iy >= (uint)w.Height) continue;
                            float* src = image + (long)b * imageSize + (ch * w.Height + iy) * w.Width + ix0;
                            float* dst = row + (ch * w.KernelH + ky) * w.KernelW;
                            if (fold) for (int kx = lo; kx < hi; kx++) src[kx] += dst[kx];
                            else for (int kx = lo; kx < hi; kx++) dst[kx] = src[kx];
                        }
                }
    }

    private static unsafe void UnfoldWide(ReadOnlySpan<float> x, Span<float> cols, int batch, Window w)
    {
        fixed (float* px = x, pc = cols) WalkWindowsWide(px, pc, batch, w, fold: false);
    }

    private static unsafe void FoldWide(ReadOnlySpan<float> cols, Span<float> x, int batch, Window w)
    {
        fixed (float* px = x, pc = cols) WalkWindowsWide(px, pc, batch, w, fold: true);
    }

    /// <summary>
    /// Unfold (image → zeroed cols) or fold (cols added into image) in the [C·kh·kw, N·L] layout.
    /// For one kernel tap (ch, ky, kx) and one output row, the pixels read are one image row at
    /// stride <see cref="Window.Stride"/>; the output columns [lo, hi) whose pixel lies inside the
    /// image are computed once per tap, so the inner loop has no bounds tests.
    /// </summary>
    private static unsafe void WalkWindowsWide(float* image, float* cols, int batch, Window w, bool fold)
    {
        int l = w.OutH * w.OutW, imageSize = w.Channels * w.Height * w.Width, s = w.Stride;
        long rowLength = (long)batch * l;
        for (int ch = 0; ch < w.Channels; ch++)
            for (int ky = 0; ky < w.KernelH; ky++)
                for (int kx = 0; kx < w.KernelW; kx++)
                {
                    float* row = cols + ((ch * w.KernelH + ky) * w.KernelW + kx) * rowLength;
                    int shift = kx - w.Padding;                                       // ix = ox·s + shift
                    int lo = shift >= 0 ? 0 : (-shift + s - 1) / s;
                    int hi = w.Width - 1 - shift < 0 ? 0 : Math.Min(w.OutW, (w.Width - 1 - shift) / s + 1);
                    if (hi <= lo) continue;
                    for (int b = 0; b < batch; b++)
                        for (int oy = 0; oy < w.OutH; oy++)
                        {
                            int iy = oy * s + ky - w.Padding;
                            if ((uint)iy >= (uint)w.Height) continue;
                            float* src = image + (long)b * imageSize + (ch * w.Height + iy) * w.Width + shift;
                            float* dst = row + (long)b * l + oy * w.OutW;
                            if (fold) for (int ox = lo; ox < hi; ox++) src[ox * s] += dst[ox];
                            else for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox * s];
                        }
                }
    }
}
