using System.Numerics.Tensors;
using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Kernels;

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
        Record(y, "im2col", this, static (n, dy, dx) => dx[0] = dy.Col2Im(n.Inputs[0]._shape[0], n.Window))?.Window = w;
        return y;
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds each window row back into its pixels.</summary>
    internal Tensor Col2Im(int batch, Window w)
    {
        var y = Output([batch, w.Channels, w.Height, w.Width]);
        Fold(Span, y.AsSpan(), batch, w);
        Record(y, "col2im", this, static (n, dy, dx) => dx[0] = dy.Im2Col(n.Window.KernelH, n.Window.KernelW, n.Window.Stride, n.Window.Padding))?.Window = w;
        return y;
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
        Record(y, "im2col_wide", this, static (n, dy, dx) => dx[0] = dy.Col2ImWide(n.Inputs[0]._shape[0], n.Window))?.Window = w;
        return y;
    }

    /// <summary>The adjoint of <see cref="Im2ColWide"/>: adds each window column back into its pixels.</summary>
    internal Tensor Col2ImWide(int batch, Window w)
    {
        var y = Output([batch, w.Channels, w.Height, w.Width]);
        FoldWide(Span, y.AsSpan(), batch, w);
        Record(y, "col2im_wide", this, static (n, dy, dx) => dx[0] = dy.Im2ColWide(n.Window.KernelH, n.Window.KernelW, n.Window.Stride, n.Window.Padding))?.Window = w;
        return y;
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
    /// <remarks>
    /// The forward pass computes one image at a time straight into its [OC, OH·OW] slice of the
    /// output (the NCHW layout, so no permute): without padding, with out channels in blocks of 8,
    /// by <see cref="DirectConvolution"/>, which reads the pixels in place; otherwise by unfolding
    /// the image into a [C·kh·kw, OH·OW] buffer that stays in cache and multiplying W by it. Both
    /// give the same bits, and the whole batch's windows are never materialised. Images go to
    /// threads in fixed contiguous ranges, each image computed by one thread, so results do not
    /// depend on the thread count. The backward rules are those of the composition
    /// <c>W·<see cref="Im2ColWide"/>(x) + b</c> (written with differentiable ops, so the convolution
    /// stays twice differentiable); only they unfold the whole batch.
    /// </remarks>
    public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0)
    {
        if (weight.Rank != 4 || Rank != 4 || weight._shape[1] != _shape[1])
            throw new ArgumentException($"Conv2d: input {ShapeText} and weight {weight.ShapeText} must be [N, C, H, W] and [OC, C, kh, kw] with the same C.");
        int batch = _shape[0], outChannels = weight._shape[0];
        if (bias is not null && (bias.Rank != 1 || bias._shape[0] != outChannels))
            throw new ArgumentException($"Conv2d: bias {bias.ShapeText} must be [{outChannels}].");
        var w = CheckWindow("Conv2d", weight._shape[2], weight._shape[3], stride, padding);
        int positions = w.OutH * w.OutW;
        var y = Output([batch, outChannels, w.OutH, w.OutW], zeroed: false);
        long work = (long)batch * outChannels * positions * w.PatchSize;
        int threads = work >= 1L << 21 ? Math.Min(Gemm.MaxThreads, batch) : 1;
        bool direct = DirectConvolution.Fits(w, outChannels);
        // One buffer per thread, then the weight tap-major for the direct kernel, all taken on this
        // thread (an arena serves only its own thread) and in this order on both paths.
        if (threads == 1)
        {
            var buffer = ConvBuffer(w, direct);
            ConvImages(this, weight, direct ? DirectConvolution.TapMajor(weight) : null, bias, y, buffer, w, 0, 1);
        }
        else ConvImagesOnThreads(this, weight, bias, y, w, direct, threads);
        var node = bias is null
            ? Record(y, "conv2d", this, weight, static (n, dy, dx) => Conv2dBackward(n, dy, dx))
            : Record(y, "conv2d", this, weight, bias, static (n, dy, dx) => Conv2dBackward(n, dy, dx));
        node?.Window = w;
        return y;
    }

    // The rules of W·Im2ColWide(x) + b, for the inputs x, W and (if any) b of the node.
    private static void Conv2dBackward(Node n, Tensor dy, Span<Tensor?> dx)
    {
        var (x, weight, bias) = (n.Inputs[0], n.Inputs[1], n.Inputs.Length == 3 ? n.Inputs[2] : null);
        var w = n.Window;
        int batch = x._shape[0], outChannels = weight._shape[0], positions = w.OutH * w.OutW;
        if (bias is not null && bias.RequiresGrad)
            dx[2] = GradMode.IsEnabled
                ? dy.Reshape(batch, outChannels, positions).Transpose(0, 1).Reshape(outChannels, batch * positions).Sum(1)
                : ConvBiasGradient(dy, batch, outChannels, positions);
        if (GradMode.IsEnabled)
        {
            // Differentiable rules (a gradient penalty through the convolution): W and the
            // batch's windows as one product. The same sums as below, in the same order.
            if (x.RequiresGrad) dx[0] = Col2ImWideOf(weight, dy, batch, w);
            if (weight.RequiresGrad) dx[1] = ConvWeightGradientComposed(x, dy, weight, w);
        }
        else
        {
            if (x.RequiresGrad) dx[0] = ConvInputGradient(weight, dy, x, w);
            if (weight.RequiresGrad) dx[1] = ConvWeightGradient(x, dy, weight, w);
        }
    }

    // A forward thread's buffer: the image's stride phases for the direct kernel, else its window
    // columns (padding positions are never written by the unfold, so the zeros they start with last).
    private static Tensor ConvBuffer(Window w, bool direct) =>
        direct ? Output([DirectConvolution.PhasesSize(w)], zeroed: false) : Output([w.PatchSize, w.OutH * w.OutW], zeroed: w.Padding > 0);

    // The threaded forward pass: images t, t + threads, … on the pool's thread t, each with its own buffer.
    private static void ConvImagesOnThreads(Tensor x, Tensor weight, Tensor? bias, Tensor y, Window w, bool direct, int threads)
    {
        var work = t_convForward ??= new ConvForwardParts();
        work.Buffers = work.Buffers.Length == threads ? work.Buffers : new Tensor[threads];
        for (int t = 0; t < threads; t++) work.Buffers[t] = ConvBuffer(w, direct);
        (work.X, work.Weight, work.Taps, work.Bias, work.Y, work.W) = (x, weight, direct ? DirectConvolution.TapMajor(weight) : null, bias, y, w);
        try
        {
            WorkerPool.Run(work, threads);
        }
        finally
        {
            (work.X, work.Weight, work.Taps, work.Bias, work.Y) = (null!, null!, null, null, null!);   // keep no step's tensors alive
            Array.Clear(work.Buffers);
        }
    }

    // One per calling thread, refilled per call: handing work to the pool allocates nothing.
    [ThreadStatic] private static ConvForwardParts? t_convForward;
    [ThreadStatic] private static WeightGradientParts? t_convWeightGradient;
    [ThreadStatic] private static InputGradientParts? t_convInputGradient;

    private sealed class ConvForwardParts : IParallelWork
    {
        public Tensor X = null!, Weight = null!, Y = null!;
        public Tensor? Taps, Bias;
        public Tensor[] Buffers = [];
        public Window W;

        public void Run(int part, int parts) => ConvImages(X, Weight, Taps, Bias, Y, Buffers[part], W, part, parts);
    }

    private sealed class WeightGradientParts : IParallelWork
    {
        public Tensor X = null!, Dy = null!, Partial = null!;
        public (Tensor Cols, Tensor Product)[] Scratch = [];
        public Window W;
        public int OutChannels;
        public bool Direct;

        public void Run(int part, int parts) => WeightGradientGroups(X, Dy, Partial, Scratch[part], W, OutChannels, Direct, part, parts);
    }

    private sealed class InputGradientParts : IParallelWork
    {
        public Tensor Weight = null!, Dy = null!, Dx = null!;
        public (Tensor Cols, Tensor Phases)[] Scratch = [];
        public Window W;
        public bool Direct;

        public void Run(int part, int parts) => InputGradientImages(Weight, Dy, Dx, Scratch[part], W, Direct, part, parts);
    }

    // dB without a graph: the same row sums as the differentiable rule, whose transpose is a
    // general strided copy; here each image's channel row is one block copy into the out
    // channel's row, then summed as Sum(1) sums it, so the result is the same bit for bit.
    private static Tensor ConvBiasGradient(Tensor dy, int batch, int outChannels, int positions)
    {
        var rows = Output([outChannels, batch * positions], zeroed: false);
        var db = Output([outChannels], zeroed: false);
        var from = dy.Span;
        var to = rows.AsSpan();
        var sums = db.AsSpan();
        for (int o = 0; o < outChannels; o++)
        {
            var row = to.Slice(o * batch * positions, batch * positions);
            for (int b = 0; b < batch; b++) from.Slice((b * outChannels + o) * positions, positions).CopyTo(row.Slice(b * positions, positions));
            sums[o] = TensorPrimitives.Sum(row);
        }
        return db;
    }

    /// <summary>Images per group whose weight gradients are summed in order; the groups' sums are then added in order. Fixed, so the sums do not depend on the thread count.</summary>
    private const int ConvGradientGroup = 8;

    // dX with differentiable ops, image by image as ConvInputGradient computes it: Wᵀ·dY_b folded
    // back into image b's pixels.
    private static Tensor Col2ImWideOf(Tensor weight, Tensor dy, int batch, Window w)
    {
        int outChannels = weight._shape[0], positions = w.OutH * w.OutW;
        var rows = weight.Reshape(outChannels, -1);
        var images = new Tensor[batch];
        for (int b = 0; b < batch; b++)
            images[b] = MatMul(rows, dy.Slice(0, b, 1).Reshape(outChannels, positions), true, false).Col2ImWide(1, w);
        return Concat(images, 0);
    }

    // dW with differentiable ops, image by image: Σ over groups (in order) of Σ over the group's
    // images (in order) of dY_b·cols_bᵀ, as ConvWeightGradient computes it.
    private static Tensor ConvWeightGradientComposed(Tensor x, Tensor dy, Tensor weight, Window w)
    {
        int batch = x._shape[0], outChannels = weight._shape[0], positions = w.OutH * w.OutW;
        Tensor? total = null;
        for (int g = 0; g < batch; g += ConvGradientGroup)
        {
            Tensor? group = null;
            for (int b = g; b < Math.Min(batch, g + ConvGradientGroup); b++)
            {
                var cols = x.Slice(0, b, 1).Im2ColWide(w.KernelH, w.KernelW, w.Stride, w.Padding);           // [C·kh·kw, L]
                var product = MatMul(dy.Slice(0, b, 1).Reshape(outChannels, positions), cols, false, true);   // [OC, C·kh·kw]
                group = group is null ? product : group + product;
            }
            total = total is null ? group : total + group!;
        }
        return total!.Reshape(weight._shape);
    }

    // dW without a graph: each group's images unfolded one at a time into a buffer that stays in
    // cache (or, where the direct kernel fits, read in place), their products summed in order;
    // groups run on threads, their sums added in order.
    private static Tensor ConvWeightGradient(Tensor x, Tensor dy, Tensor weight, Window w)
    {
        int batch = x._shape[0], outChannels = weight._shape[0], positions = w.OutH * w.OutW, patch = w.PatchSize;
        int groups = (batch + ConvGradientGroup - 1) / ConvGradientGroup, size = outChannels * patch;
        var partial = Output([groups, size], zeroed: false);
        long work = (long)batch * outChannels * positions * patch;
        int threads = work >= 1L << 21 ? Math.Min(Gemm.MaxThreads, groups) : 1;
        bool direct = DirectConvolution.Fits(w, outChannels);                 // then no window buffer
        if (threads == 1) WeightGradientGroups(x, dy, partial, WeightGradientScratch(w, outChannels, direct), w, outChannels, direct, 0, 1);
        else WeightGradientOnThreads(x, dy, partial, w, outChannels, direct, threads);
        var total = Output(weight._shape, zeroed: false);
        var t0 = total.AsSpan();
        var all = partial.Span;
        all[..size].CopyTo(t0);
        for (int g = 1; g < groups; g++) AddKernel.Apply(t0, all.Slice(g * size, size), t0);
        return total;
    }

    // A thread's buffers for ConvWeightGradient: an image's window columns and one product.
    private static (Tensor Cols, Tensor Product) WeightGradientScratch(Window w, int outChannels, bool direct) =>
        (Output([direct ? 0 : w.PatchSize, w.OutH * w.OutW], zeroed: w.Padding > 0), Output([outChannels, w.PatchSize], zeroed: false));

    // Groups t, t + threads, … on the pool's thread t, each with its own scratch.
    private static void WeightGradientOnThreads(Tensor x, Tensor dy, Tensor partial, Window w, int outChannels, bool direct, int threads)
    {
        var work = t_convWeightGradient ??= new WeightGradientParts();
        work.Scratch = work.Scratch.Length == threads ? work.Scratch : new (Tensor, Tensor)[threads];
        for (int t = 0; t < threads; t++) work.Scratch[t] = WeightGradientScratch(w, outChannels, direct);
        (work.X, work.Dy, work.Partial, work.W, work.OutChannels, work.Direct) = (x, dy, partial, w, outChannels, direct);
        try
        {
            WorkerPool.Run(work, threads);
        }
        finally
        {
            (work.X, work.Dy, work.Partial) = (null!, null!, null!);
            Array.Clear(work.Scratch);
        }
    }

    // Groups thread, thread + threads, … of ConvWeightGradient, each summed into its row of `partial`.
    private static void WeightGradientGroups(Tensor x, Tensor dy, Tensor partial, (Tensor Cols, Tensor Product) scratch, Window w, int outChannels, bool direct, int thread, int threads)
    {
        int batch = x._shape[0], positions = w.OutH * w.OutW, patch = w.PatchSize, size = outChannels * patch;
        int groups = (batch + ConvGradientGroup - 1) / ConvGradientGroup, imageSize = w.Channels * w.Height * w.Width;
        var cols = scratch.Cols.AsSpan();
        var product = scratch.Product.AsSpan();
        var image = x.Span;
        var gradient = dy.Span;
        var sums = partial.AsSpan();
        for (int g = thread; g < groups; g += threads)
        {
            var sum = sums.Slice(g * size, size);
            for (int b = g * ConvGradientGroup; b < Math.Min(batch, (g + 1) * ConvGradientGroup); b++)
            {
                var target = b == g * ConvGradientGroup ? sum : product;
                if (direct) DirectConvolution.WeightGradient(image.Slice(b * imageSize, imageSize), gradient.Slice(b * outChannels * positions, outChannels * positions), target, w, outChannels);
                else
                {
                    UnfoldWide(image.Slice(b * imageSize, imageSize), cols, 1, w);
                    Gemm.Multiply(gradient.Slice(b * outChannels * positions, outChannels * positions), cols, target, outChannels, patch, positions, false, true, maxThreads: 1);
                }
                if (b > g * ConvGradientGroup) AddKernel.Apply(sum, product, sum);
            }
        }
    }

    // dX without a graph: image by image, Wᵀ·dY_b into a buffer in cache, folded into image b's
    // pixels. Each output value is the same sum as the batch's single product and fold.
    private static Tensor ConvInputGradient(Tensor weight, Tensor dy, Tensor x, Window w)
    {
        int batch = x._shape[0], outChannels = weight._shape[0], positions = w.OutH * w.OutW, patch = w.PatchSize;
        var dx = Output(x._shape);
        long work = (long)batch * outChannels * positions * patch;
        int threads = work >= 1L << 21 ? Math.Min(Gemm.MaxThreads, batch) : 1;
        bool direct = DirectConvolution.Fits(w, outChannels);                 // then the fold goes through the image's stride phases
        if (threads == 1) InputGradientImages(weight, dy, dx, InputGradientScratch(w, direct), w, direct, 0, 1);
        else InputGradientOnThreads(weight, dy, dx, w, direct, threads);
        return dx;
    }

    // A thread's buffers for ConvInputGradient: an image's window columns and its stride phases.
    private static (Tensor Cols, Tensor Phases) InputGradientScratch(Window w, bool direct) =>
        (Output([w.PatchSize, w.OutH * w.OutW], zeroed: false), Output([direct ? DirectConvolution.PhasesSize(w) : 0], zeroed: false));

    // Images t, t + threads, … on the pool's thread t, each with its own scratch.
    private static void InputGradientOnThreads(Tensor weight, Tensor dy, Tensor dx, Window w, bool direct, int threads)
    {
        var work = t_convInputGradient ??= new InputGradientParts();
        work.Scratch = work.Scratch.Length == threads ? work.Scratch : new (Tensor, Tensor)[threads];
        for (int t = 0; t < threads; t++) work.Scratch[t] = InputGradientScratch(w, direct);
        (work.Weight, work.Dy, work.Dx, work.W, work.Direct) = (weight, dy, dx, w, direct);
        try
        {
            WorkerPool.Run(work, threads);
        }
        finally
        {
            (work.Weight, work.Dy, work.Dx) = (null!, null!, null!);
            Array.Clear(work.Scratch);
        }
    }

    // The images of ConvInputGradient in thread's fixed contiguous range.
    private static void InputGradientImages(Tensor weight, Tensor dy, Tensor dx, (Tensor Cols, Tensor Phases) scratch, Window w, bool direct, int thread, int threads)
    {
        int batch = dx._shape[0], outChannels = weight._shape[0], positions = w.OutH * w.OutW, patch = w.PatchSize;
        int imageSize = w.Channels * w.Height * w.Width;
        var cols = scratch.Cols.AsSpan();
        var phases = scratch.Phases.AsSpan();
        var gradient = dy.Span;
        var pixels = dx.AsSpan();
        int perThread = (batch + threads - 1) / threads;
        for (int b = thread * perThread; b < Math.Min(batch, (thread + 1) * perThread); b++)
        {
            Gemm.Multiply(weight.Span, gradient.Slice(b * outChannels * positions, outChannels * positions), cols, patch, positions, outChannels, true, false, maxThreads: 1);
            if (direct) DirectConvolution.Fold(cols, pixels.Slice(b * imageSize, imageSize), phases, w);
            else FoldWide(cols, pixels.Slice(b * imageSize, imageSize), 1, w);
        }
    }

    /// <summary>
    /// The forward pass of <see cref="Conv2d"/> over thread's fixed range of images: by the
    /// direct kernel when <paramref name="taps"/> (the weight, tap-major) is given, else by
    /// unfolding each image and one product.
    /// </summary>
    private static unsafe void ConvImages(Tensor x, Tensor weight, Tensor? taps, Tensor? bias, Tensor y, Tensor buffer, Window w, int thread, int threads)
    {
        int batch = x._shape[0];
        int perThread = (batch + threads - 1) / threads;
        int first = thread * perThread, last = Math.Min(batch, first + perThread);
        int outChannels = weight._shape[0], positions = w.OutH * w.OutW, imageSize = w.Channels * w.Height * w.Width;
        var image = x.Span;
        var scratch = buffer.AsSpan();
        var output = y.AsSpan();
        int* offsets = stackalloc int[taps is null ? 0 : w.PatchSize];
        if (taps is not null) DirectConvolution.TapOffsets(w, offsets);
        for (int b = first; b < last; b++)
        {
            var slice = output.Slice(b * outChannels * positions, outChannels * positions);
            if (taps is not null) DirectConvolution.Image(image.Slice(b * imageSize, imageSize), scratch, taps.Span, offsets, slice, w, outChannels);
            else
            {
                UnfoldWide(image.Slice(b * imageSize, imageSize), scratch, 1, w);
                Gemm.Multiply(weight.Span, scratch, slice, outChannels, positions, w.PatchSize, false, false, maxThreads: 1);
            }
            if (bias is null) continue;
            var values = bias.Span;
            for (int o = 0; o < outChannels; o++)
            {
                var row = slice.Slice(o * positions, positions);
                AddKernel.Apply(row, values[o], row);                     // as the broadcast + of a [OC, 1] bias
            }
        }
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
