using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Rewards;
using Apprentice.Tensors;
using Apprentice.Tensors.Random;

namespace Apprentice.Algorithms;

/// <summary>
/// GAIL (Ho &amp; Ermon, 2016) as imitation configures it: the logit is a <see cref="BasicRewardNet"/> r(s, a),
/// D = σ(r) = P(expert), and PPO receives −log(1 − D) = softplus(r), a reward that is positive everywhere.
/// Because it is positive, episodes that could end early would be paid to last: hence the fixed-horizon guard
/// (<see cref="AdversarialOptions.AllowVariableHorizon"/>).
/// </summary>
public sealed class GailTrainer<TAction> : AdversarialTrainer<TAction>
{
    /// <summary>A GAIL run; see <see cref="AdversarialTrainer{TAction}"/> for the parameters.</summary>
    /// <param name="makeEnv">Builds env copy i, time limit included (a fixed-horizon env such as seals/CartPole-v0).</param>
    /// <param name="demos">Expert transitions in the env's spaces.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="rng">The run's randomness.</param>
    /// <param name="log">Receives <c>ppo/…</c> and <c>disc/…</c> scalars.</param>
    public GailTrainer(Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options, Rng rng, ITrainingLog log)
        : base(makeEnv, demos, options, (obs, space, r) => new BasicRewardNet(obs, space, r, RewardInputs.State | RewardInputs.Action,
            options.DiscriminatorHiddenSizes, options.SpectralNorm, options.NormalizeRewardInputs), rng, log)
    {
    }

    /// <inheritdoc/>
    protected override bool NeedsLogProbs => false;

    /// <inheritdoc/>
    protected override Tensor Logits(DiscriminatorBatch batch) =>
        RewardNet.Forward(batch.Observations, batch.Actions, batch.NextObservations, batch.Dones);

    /// <inheritdoc/>
    protected override Tensor GeneratorReward(DiscriminatorBatch batch) => Logits(batch).Softplus();   // −log(1 − σ(logit))
}
