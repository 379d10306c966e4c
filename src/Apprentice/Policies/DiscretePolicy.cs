using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.Distributions;
using Apprentice.Tensors.Random;

namespace Apprentice.Policies;

/// <summary>An MLP policy for <see cref="Discrete"/> actions: the network's outputs are the logits of a categorical distribution.</summary>
public sealed class DiscretePolicy : MlpPolicy, IPolicy<float[], int>
{
    /// <summary>A fresh, randomly initialised policy.</summary>
    public DiscretePolicy(Box observationSpace, Discrete actionSpace, PolicyArchitecture architecture, Rng rng)
        : base(observationSpace.FlatDimension, actionSpace.N, architecture, rng)
    {
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
    }

    /// <summary>Observations this policy reads.</summary>
    public Box ObservationSpace { get; }

    /// <summary>Actions this policy emits.</summary>
    public Discrete ActionSpace { get; }

    /// <summary>The action distribution for a batch: logits [B, N].</summary>
    public Categorical Distribution(Tensor observations) => new(Forward(observations));

    /// <inheritdoc/>
    public int Act(float[] observation, Rng rng, bool deterministic = true)
    {
        var logits = ForwardOne(observation);
        int index = deterministic ? Tensor.ArgMax(logits) : new Categorical(Tensor.FromArray(logits, 1, logits.Length)).Sample(rng)[0];
        return ActionSpace.Start + index;
    }

    /// <summary>Actions for a batch in one forward pass.</summary>
    public void Act(ReadOnlySpan<float[]> observations, Span<int> actions, Rng rng, bool deterministic = true)
    {
        if (actions.Length != observations.Length)
            throw new ArgumentException($"Expected one action slot per observation ({observations.Length}); got {actions.Length}.", nameof(actions));
        var logits = ForwardBatch(observations);
        int n = ActionSpace.N;
        if (deterministic)
        {
            for (int i = 0; i < actions.Length; i++) actions[i] = ActionSpace.Start + Tensor.ArgMax(logits.Slice(i * n, n));
            return;
        }
        var indices = new Categorical(Tensor.FromArray(logits, actions.Length, n)).Sample(rng);
        for (int i = 0; i < indices.Length; i++) actions[i] = ActionSpace.Start + indices[i];
    }
}
