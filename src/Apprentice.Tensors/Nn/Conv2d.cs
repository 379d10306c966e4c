using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Nn;

/// <summary>
/// A 2-D convolution layer (cross-correlation, as PyTorch's <c>nn.Conv2d</c>) with square kernels,
/// one stride and zero padding on all sides: [N, in, H, W] → [N, out, OH, OW] with
/// OH = (H + 2·padding − kernel) / stride + 1.
/// </summary>
public sealed class Conv2d : Module, IWeightedLayer
{
    /// <summary>
    /// Creates the layer with PyTorch's default initialisation: weight and bias from
    /// U(−1/√fan_in, 1/√fan_in), fan_in = in·kernel² (Kaiming uniform with a = √5 for the weight).
    /// </summary>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="outChannels">Channels of the output image (number of filters).</param>
    /// <param name="kernelSize">Side of the square kernel.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zeros added on each side of the image.</param>
    /// <param name="rng">Source of the initial values.</param>
    /// <param name="bias">Whether to learn an additive bias per output channel.</param>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, Rng rng, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentNullException.ThrowIfNull(rng);
        (InChannels, OutChannels, KernelSize, Stride, Padding) = (inChannels, outChannels, kernelSize, stride, padding);
        Weight = RegisterParameter("weight", Init.KaimingUniform(Tensor.ZerosAligned(outChannels, inChannels, kernelSize, kernelSize), rng, a: MathF.Sqrt(5f)));
        if (bias)
        {
            float bound = 1f / MathF.Sqrt(inChannels * kernelSize * kernelSize);
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.ZerosAligned(outChannels), rng, -bound, bound));
        }
    }

    /// <summary>Channels of the input image.</summary>
    public int InChannels { get; }

    /// <summary>Channels of the output image.</summary>
    public int OutChannels { get; }

    /// <summary>Side of the square kernel.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on each side.</summary>
    public int Padding { get; }

    /// <summary>Weight [out, in, kernel, kernel].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out], or null when created without one.</summary>
    public Tensor? Bias { get; }

    /// <summary>Input [N, in, H, W] → output [N, out, OH, OW].</summary>
    public override Tensor Forward(Tensor input) => Forward(input, Weight);

    /// <inheritdoc/>
    public Tensor Forward(Tensor input, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 4 || input.Dim(1) != InChannels)
            throw new ArgumentException($"Conv2d expects input [N, {InChannels}, H, W]; got {input.ShapeText}.", nameof(input));
        if (!ShapeUtil.SameShape(weight.Shape, Weight.Shape))
            throw new ArgumentException($"Replacement weight must have shape {Weight.ShapeText}; got {weight.ShapeText}.", nameof(weight));
        return input.Conv2d(weight, Bias, Stride, Padding);
    }
}
