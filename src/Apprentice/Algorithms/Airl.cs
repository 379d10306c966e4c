using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Rewards;
using Apprentice.Tensors;
using Apprentice.Tensors.Random;

namespace Apprentice.Algorithms;

/// <summary>
/// AIRL (Fu, Luo &amp; Levine, 2018) as imitation configures it: the reward net is a <see cref="ShapedRewardNet"/>
/// f(s, a, s′) = g(s) + γh(s′) − h(s), the logit is f − log π(a | s) (the generator's log-probability: stored in the
/// rollout for its own rows, recomputed under the current policy for expert rows), and PPO receives f itself;
/// with PPO's entropy bonus that is the logit's expectation. g is the recovered reward (<see cref="RecoveredReward"/>).
/// </summary>
public sealed class AirlTrainer<TAction> : AdversarialTrainer<TAction>
{
    /// <summary>An AIRL run; see <see cref="AdversarialTrainer{TAction}"/> for the parameters. g reads the state only, γ is PPO's.</summary>
    /// <param name="makeEnv">Builds env copy i, time limit included (a fixed-horizon env such as seals/CartPole-v0).</param>
    /// <param name="demos">Expert transitions in the env's spaces.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="rng">The run's randomness.</param>
    /// <param name="log">Receives <c>ppo/…</c> and <c>disc/…</c> scalars.</param>
    public AirlTrainer(Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options, Rng rng, ITrainingLog log)
        : base(makeEnv, demos, options, RewardNetFactory(options), rng, log)
    {
    }

    private AirlTrainer(Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options, ITrainingLog log, AdversarialCheckpoint checkpoint)
        : base(makeEnv, demos, options, RewardNetFactory(options), new Rng(0), log, checkpoint)
    {
    }

    /// <summary>What <see cref="AdversarialTrainer{TAction}.Algorithm"/> returns for AIRL.</summary>
    public const string Name = "airl";

    /// <inheritdoc/>
    public override string Algorithm => Name;

    /// <summary>Continues an AIRL run from a checkpoint; see <see cref="GailTrainer{TAction}.Resume"/>, the same with AIRL for GAIL.</summary>
    /// <inheritdoc cref="GailTrainer{TAction}.Resume"/>
    public static AirlTrainer<TAction> Resume(string path, Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options, ITrainingLog log)
    {
        return new AirlTrainer<TAction>(makeEnv, demos, options, log, AdversarialCheckpoint.Read(path, Name));
    }

    private static Func<int, object, Rng, RewardNet> RewardNetFactory(AdversarialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (obs, space, r) => new ShapedRewardNet(obs, space, r, options.Ppo.Gamma,
            options.AirlStateOnlyReward ? RewardInputs.State : RewardInputs.State | RewardInputs.Action,
            options.DiscriminatorHiddenSizes, options.SpectralNorm, options.NormalizeRewardInputs);
    }

    /// <summary>The shaped reward net f.</summary>
    public ShapedRewardNet ShapedReward => (ShapedRewardNet)RewardNet;

    /// <summary>g, the recovered reward without its shaping: save it, or score states with <see cref="RecoveredRewardOf"/>.</summary>
    public BasicRewardNet RecoveredReward => ShapedReward.Base;

    /// <summary>g(s) for observations [N, obsDim], as floats (no graph); see <see cref="BasicRewardNet.StateRewards"/>.</summary>
    public float[] RecoveredRewardOf(Tensor observations) => RecoveredReward.StateRewards(observations);

    /// <inheritdoc/>
    protected override bool NeedsLogProbs => true;

    /// <inheritdoc/>
    protected override Tensor Logits(DiscriminatorBatch batch) =>
        RewardNet.Forward(batch.Observations, batch.Actions, batch.NextObservations, batch.Dones) - batch.LogProbs;

    /// <inheritdoc/>
    protected override Tensor GeneratorReward(DiscriminatorBatch batch) =>
        Options.AirlLogitReward ? Logits(batch) : RewardNet.Forward(batch.Observations, batch.Actions, batch.NextObservations, batch.Dones);
}
