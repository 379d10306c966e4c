using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Nn;

/// <summary>
/// A fully connected layer y = x·Wᵀ + b, with W of shape [out, in] as in PyTorch, so weights
/// exchanged with PyTorch need no transposing.
/// </summary>
public sealed class Linear : Module, IWeightedLayer
{
    /// <summary>
    /// Creates the layer with PyTorch's default initialisation: W and b from U(−1/√in, 1/√in)
    /// (Kaiming uniform with a = √5 for W).
    /// </summary>
    /// <param name="inFeatures">Size of each input row.</param>
    /// <param name="outFeatures">Size of each output row.</param>
    /// <param name="rng">Source of the initial values.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentNullException.ThrowIfNull(rng);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.KaimingUniform(Tensor.ZerosAligned(outFeatures, inFeatures), rng, a: MathF.Sqrt(5f)));
        if (bias)
        {
            float bound = 1f / MathF.Sqrt(inFeatures);
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.ZerosAligned(outFeatures), rng, -bound, bound));
        }
    }

    /// <summary>Size of each input row.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output row.</summary>
    public int OutFeatures { get; }

    /// <summary>Weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out], or null when created without one.</summary>
    public Tensor? Bias { get; }

    /// <summary>Input [..., in] → output [..., out] (a 1-D input [in] gives [out]).</summary>
    public override Tensor Forward(Tensor input) => Forward(input, Weight);

    /// <inheritdoc/>
    public Tensor Forward(Tensor input, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank == 0 || input.Dim(-1) != InFeatures)
            throw new ArgumentException($"Linear expects input [..., {InFeatures}]; got {input.ShapeText}.", nameof(input));
        if (!ShapeUtil.SameShape(weight.Shape, Weight.Shape))
            throw new ArgumentException($"Replacement weight must have shape {Weight.ShapeText}; got {weight.ShapeText}.", nameof(weight));
        if (input.Rank == 1) return Forward(input.Reshape(1, InFeatures), weight).Reshape(OutFeatures);   // one sample, as PyTorch allows
        if (input.Rank == 2 && Bias is not null) return Tensor.Affine(input, weight, Bias);           // product and bias in one op
        var y = Tensor.MatMul(input, weight, transposeA: false, transposeB: true);
        return Bias is null ? y : y + Bias;
    }
}
