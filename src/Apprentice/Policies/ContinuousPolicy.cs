using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.Distributions;
using Apprentice.Tensors.Random;

namespace Apprentice.Policies;

/// <summary>
/// An MLP policy for <see cref="Box"/> actions. The network works in the normalised action space
/// [−1, 1] (see <see cref="ActionScaler"/>): the deterministic head squashes with tanh; the Gaussian
/// head's mean is unbounded, samples are clipped to [−1, 1] before scaling (as Stable-Baselines3 does).
/// </summary>
public sealed class ContinuousPolicy : MlpPolicy, IPolicy<float[], float[]>
{
    private readonly Tensor? _logStd;

    /// <summary>A fresh, randomly initialised policy.</summary>
    public ContinuousPolicy(Box observationSpace, Box actionSpace, PolicyArchitecture architecture, Rng rng)
        : base(observationSpace.FlatDimension, actionSpace.FlatDimension, architecture, rng)
    {
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        Scaler = new ActionScaler(actionSpace);
        if (architecture.Head == ContinuousHead.Gaussian)
            _logStd = RegisterParameter("log_std", Tensor.Full(architecture.InitialLogStd, actionSpace.FlatDimension));
    }

    /// <summary>Observations this policy reads.</summary>
    public Box ObservationSpace { get; }

    /// <summary>Actions this policy emits.</summary>
    public Box ActionSpace { get; }

    /// <summary>Maps between env actions and the network's [−1, 1] range.</summary>
    public ActionScaler Scaler { get; }

    /// <summary>Number of action dimensions.</summary>
    public int ActionDimension => ActionSpace.FlatDimension;

    /// <summary>
    /// The action the policy would take, in the normalised space: tanh(output) for the deterministic
    /// head, the mean for the Gaussian head. [B, obsDim] → [B, actDim], differentiable (BC's MSE target).
    /// </summary>
    public Tensor PredictNormalized(Tensor observations)
    {
        var output = Forward(observations);
        return Architecture.Head == ContinuousHead.Deterministic ? output.Tanh() : output;
    }

    /// <summary>The action distribution in the normalised space (Gaussian head only).</summary>
    public DiagonalGaussian Distribution(Tensor observations)
    {
        if (_logStd is null)
            throw new InvalidOperationException("This policy has a deterministic head; build it with Head = ContinuousHead.Gaussian for a distribution.");
        return new DiagonalGaussian(Forward(observations), _logStd);
    }

    /// <summary>The Gaussian head's log standard deviations, or null for a deterministic head.</summary>
    public Tensor? LogStd => _logStd;

    /// <inheritdoc/>
    public float[] Act(float[] observation, Rng rng, bool deterministic = true)
    {
        var action = new float[ActionDimension];
        Act(observation, action, rng, deterministic);
        return action;
    }

    /// <summary>
    /// The action for one observation, written into <paramref name="action"/>: the same action as
    /// <see cref="Act(float[], Rng, bool)"/> without allocating (for rollout loops that reuse a buffer).
    /// </summary>
    public void Act(ReadOnlySpan<float> observation, Span<float> action, Rng rng, bool deterministic = true)
    {
        if (action.Length != ActionDimension)
            throw new ArgumentException($"Expected an action buffer of length {ActionDimension}; got {action.Length}.", nameof(action));
        var output = ForwardOne(observation);
        Span<float> normalized = stackalloc float[ActionDimension];
        for (int i = 0; i < normalized.Length; i++)
        {
            float u = output[i];
            if (Architecture.Head == ContinuousHead.Deterministic) u = MathF.Tanh(u);
            else if (!deterministic) u += MathF.Exp(_logStd!.Span[i]) * (float)rng.Normal();
            normalized[i] = u;
        }
        Scaler.Denormalize(normalized, action);
    }

    /// <summary>Actions for a batch in one forward pass.</summary>
    public void Act(ReadOnlySpan<float[]> observations, Span<float[]> actions, Rng rng, bool deterministic = true)
    {
        if (actions.Length != observations.Length)
            throw new ArgumentException($"Expected one action slot per observation ({observations.Length}); got {actions.Length}.", nameof(actions));
        var o = ForwardBatch(observations);
        Span<float> normalized = stackalloc float[ActionDimension];
        for (int b = 0; b < observations.Length; b++)
        {
            for (int i = 0; i < normalized.Length; i++)
            {
                float u = o[b * ActionDimension + i];
                if (Architecture.Head == ContinuousHead.Deterministic) u = MathF.Tanh(u);
                else if (!deterministic) u += MathF.Exp(_logStd!.Span[i]) * (float)rng.Normal();
                normalized[i] = u;
            }
            actions[b] = new float[ActionDimension];
            Scaler.Denormalize(normalized, actions[b]);
        }
    }
}
