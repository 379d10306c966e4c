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
        : base(makeEnv, demos, options, RewardNetFactory(options), rng, log)
    {
    }

    private GailTrainer(Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options, ITrainingLog log, AdversarialCheckpoint checkpoint)
        : base(makeEnv, demos, options, RewardNetFactory(options), new Rng(0), log, checkpoint)
    {
    }

    /// <summary>What <see cref="AdversarialTrainer{TAction}.Algorithm"/> returns for GAIL.</summary>
    public const string Name = "gail";

    /// <inheritdoc/>
    public override string Algorithm => Name;

    /// <summary>
    /// Continues a GAIL run from a checkpoint written by <see cref="AdversarialTrainer{TAction}.SaveCheckpoint"/> (or by
    /// <see cref="AdversarialTrainer{TAction}.Train(string?)"/>): training on gives the numbers the uninterrupted run would have.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="makeEnv">Builds env copy i; must build the envs of the original run (they are checked and replayed).</param>
    /// <param name="demos">The original run's demonstrations (not saved: they are the caller's data).</param>
    /// <param name="options">The original run's options; only <see cref="PpoOptions.TotalSteps"/> (to train longer),
    /// <see cref="PpoOptions.CheckpointInterval"/> and <see cref="AdversarialOptions.WarmStart"/> may differ.</param>
    /// <param name="log">Receives <c>ppo/…</c> and <c>disc/…</c> scalars.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt or truncated, lacks a tensor, or was written by AIRL, for
    /// another env, or with other options; the message names the file and what differs (expected vs found).</exception>
    public static GailTrainer<TAction> Resume(string path, Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options, ITrainingLog log)
    {
        return new GailTrainer<TAction>(makeEnv, demos, options, log, AdversarialCheckpoint.Read(path, Name));
    }

    private static Func<int, object, Rng, RewardNet> RewardNetFactory(AdversarialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (obs, space, r) => new BasicRewardNet(obs, space, r, RewardInputs.State | RewardInputs.Action,
            options.DiscriminatorHiddenSizes, options.SpectralNorm, options.NormalizeRewardInputs);
    }

    /// <inheritdoc/>
    protected override bool NeedsLogProbs => false;

    /// <inheritdoc/>
    protected override Tensor Logits(DiscriminatorBatch batch) =>
        RewardNet.Forward(batch.Observations, batch.Actions, batch.NextObservations, batch.Dones);

    /// <inheritdoc/>
    protected override Tensor GeneratorReward(DiscriminatorBatch batch) => Logits(batch).Softplus();   // −log(1 − σ(logit))
}
