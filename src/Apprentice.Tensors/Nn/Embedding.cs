using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Nn;

/// <summary>
/// A lookup table of learned vectors: index i → row i of a weight [count, dim]. Used for task
/// embeddings in multi-task imitation. Repeated indices accumulate their gradients.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table with rows drawn from N(0, 1), PyTorch's default.</summary>
    /// <param name="count">Number of rows (valid indices are 0 … count − 1).</param>
    /// <param name="dim">Length of each vector.</param>
    /// <param name="rng">Source of the initial values.</param>
    public Embedding(int count, int dim, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentNullException.ThrowIfNull(rng);
        (Count, Dim) = (count, dim);
        Weight = RegisterParameter("weight", Init.Normal(Tensor.ZerosAligned(count, dim), rng, 0f, 1f));
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Length of each vector.</summary>
    public int Dim { get; }

    /// <summary>The table [count, dim].</summary>
    public Tensor Weight { get; }

    /// <summary>The rows at <paramref name="indices"/>, in order: [indices.Length, dim].</summary>
    public Tensor Forward(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {indices[i]} at position {i} is outside the embedding table [0, {Count}).");
        return Weight.IndexSelect(0, indices);
    }

    /// <summary>
    /// Lookup for indices stored as whole numbers in a float tensor of any shape [...]: gives
    /// [..., dim]. Prefer <see cref="Forward(int[])"/>; this exists so an embedding fits in a
    /// <see cref="Sequential"/>.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = input.Span;
        var indices = new int[values.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Round(v) || v < 0 || v >= Count)
                throw new ArgumentException($"Embedding indices must be whole numbers in [0, {Count}); element {i} is {v}.", nameof(input));
            indices[i] = (int)v;
        }
        return Forward(indices).Reshape([.. input.Shape, Dim]);
    }
}
