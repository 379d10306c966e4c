using Apprentice.Spaces;
using Apprentice.Tensors.Random;

namespace Apprentice.Policies;

/// <summary>
/// Acts by sampling the action space uniformly, whatever it sees: the "random" end of an
/// expert-normalised score, (score − random) / (expert − random), and a source of non-expert data.
/// </summary>
/// <typeparam name="TAction"><see cref="int"/> for discrete actions, <c>float[]</c> for continuous ones.</typeparam>
/// <param name="actionSpace">The env's action space (a bounded one, for a continuous space).</param>
public sealed class RandomPolicy<TAction>(Space<TAction> actionSpace) : IPolicy<float[], TAction>
{
    /// <summary>The space actions are drawn from.</summary>
    public Space<TAction> ActionSpace { get; } = actionSpace ?? throw new ArgumentNullException(nameof(actionSpace));

    /// <summary>A uniform sample of <see cref="ActionSpace"/>; <paramref name="deterministic"/> is ignored (there is no most likely action).</summary>
    public TAction Act(float[] observation, Rng rng, bool deterministic = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return ActionSpace.Sample(rng);
    }
}
