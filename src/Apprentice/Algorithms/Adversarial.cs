using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Policies;
using Apprentice.Rewards;
using Apprentice.Tensors;
using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;

namespace Apprentice.Algorithms;

/// <summary>Where the discriminator's gradient penalty is taken.</summary>
public enum GradientPenaltyTarget
{
    /// <summary>
    /// WGAN-GP (Gulrajani et al., 2017): at random interpolates x̂ = εx_E + (1 − ε)x_G of paired expert
    /// and generator rows (ε ~ U[0, 1) per row), penalty mean((‖∇x̂ r‖ − 1)²).
    /// </summary>
    Interpolates,

    /// <summary>R1 (Mescheder et al., 2018): at the expert rows themselves, penalty mean(‖∇ₓ r‖²).</summary>
    Expert,
}

/// <summary>
/// Settings shared by <see cref="GailTrainer{TAction}"/> and <see cref="AirlTrainer{TAction}"/>, named as
/// imitation's <c>AdversarialTrainer</c> names them where it has them.
/// </summary>
public sealed record AdversarialOptions
{
    /// <summary>The generator's RL; its rewards are replaced by the discriminator's every iteration (a round).</summary>
    public PpoOptions Ppo { get; init; } = new();

    /// <summary>
    /// Discriminator gradient steps per round (<c>n_disc_updates_per_round</c>; imitation's scripts: 4). 16 by default:
    /// measured on seals/CartPole from 10 demonstrations (100 rounds of 2048 steps, seeds 0–4), 4 steps of 256 rows
    /// left the discriminator so far behind that the generator learned to fall (normalised IQM −0.03), while 16 steps
    /// of 1024 rows reached the expert on every seed (1.00, also on seeds 5–9).
    /// </summary>
    public int DiscriminatorUpdatesPerRound { get; init; } = 16;

    /// <summary>Expert rows per discriminator step, and as many generator rows (<c>demo_batch_size</c>; imitation's scripts: 1024).</summary>
    public int DiscriminatorBatchSize { get; init; } = 1024;

    /// <summary>The discriminator's Adam step size (PyTorch's default 1e-3, as imitation).</summary>
    public double DiscriminatorLearningRate { get; init; } = 1e-3;

    /// <summary>Hidden widths of the reward net (g and h for AIRL); imitation's [32, 32].</summary>
    public int[] DiscriminatorHiddenSizes { get; init; } = [32, 32];

    /// <summary>
    /// Standardise the reward net's inputs by running statistics of the discriminator's training batches
    /// (imitation's <c>RunningNorm</c> input layer), so features of very different scales (a cart's velocity
    /// beside a pole's angle) enter the tanh layers alike. On by default, as imitation. Measured on seals/CartPole
    /// with the default discriminator steps, it made no difference there (both reach 500 on seeds 0–4).
    /// </summary>
    public bool NormalizeRewardInputs { get; init; } = true;

    /// <summary>Spectrally normalise every linear layer of the reward net (keeps it about 1-Lipschitz).</summary>
    public bool SpectralNorm { get; init; }

    /// <summary>Weight of the gradient penalty on ∇ₓ r (0, the default, turns it off); computed by double backward.</summary>
    public double GradientPenaltyWeight { get; init; }

    /// <summary>Where the penalty is taken; see <see cref="GradientPenaltyTarget"/>.</summary>
    public GradientPenaltyTarget GradientPenaltyAt { get; init; } = GradientPenaltyTarget.Interpolates;

    /// <summary>
    /// AIRL only: PPO receives the discriminator's logit f − log π(a | s), Fu et al.'s log D − log(1 − D), which
    /// carries the policy's entropy in the reward, instead of f alone (imitation's choice, which leaves entropy to
    /// <see cref="PpoOptions.EntropyCoefficient"/>). Off by default, as imitation.
    /// </summary>
    public bool AirlLogitReward { get; init; }

    /// <summary>
    /// AIRL only: g reads the state alone (true, the default: AIRL's disentangled reward, the one that transfers to
    /// new dynamics) or the state and action (imitation's <c>BasicShapedRewardNet</c> default).
    /// </summary>
    public bool AirlStateOnlyReward { get; init; } = true;

    /// <summary>When set, the generator starts from behaviour cloning on the demonstrations with these settings (architecture ignored: PPO's is kept).</summary>
    public BcOptions? WarmStart { get; init; }

    /// <summary>Standardise the learned reward with a running mean and variance before PPO (imitation's <c>NormalizedRewardNet</c>). On by default.</summary>
    public bool NormalizeRewards { get; init; } = true;

    /// <summary>
    /// Accept demonstrations or envs whose episodes end by termination (variable length). Off by default,
    /// because the learned reward then biases the policy towards long or short episodes; see
    /// <see cref="AdversarialTrainer{TAction}.VariableHorizonMessage"/>.
    /// </summary>
    public bool AllowVariableHorizon { get; init; }

    /// <summary>Throws on settings that cannot train, naming the setting and the value found.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Ppo, nameof(Ppo));
        Ppo.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DiscriminatorUpdatesPerRound);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DiscriminatorBatchSize);
        if (!(DiscriminatorLearningRate > 0) || !double.IsFinite(DiscriminatorLearningRate))
            throw new ArgumentOutOfRangeException(nameof(DiscriminatorLearningRate), $"Expected a finite positive learning rate; got {DiscriminatorLearningRate}.");
        if (!(GradientPenaltyWeight >= 0) || !double.IsFinite(GradientPenaltyWeight))
            throw new ArgumentOutOfRangeException(nameof(GradientPenaltyWeight), $"Expected a finite weight ≥ 0; got {GradientPenaltyWeight}.");
        if (!Enum.IsDefined(GradientPenaltyAt)) throw new ArgumentOutOfRangeException(nameof(GradientPenaltyAt), $"Unknown target {(int)GradientPenaltyAt}.");
        if (DiscriminatorHiddenSizes is null) throw new ArgumentNullException(nameof(DiscriminatorHiddenSizes), "List the hidden widths (it may be empty).");
        for (int i = 0; i < DiscriminatorHiddenSizes.Length; i++)
            if (DiscriminatorHiddenSizes[i] <= 0)
                throw new ArgumentOutOfRangeException(nameof(DiscriminatorHiddenSizes), $"DiscriminatorHiddenSizes[{i}] is {DiscriminatorHiddenSizes[i]}; widths must be positive.");
        WarmStart?.Validate();
    }
}

/// <summary>
/// Transitions as a discriminator reads them, all as tensors with N rows. <see cref="LogProbs"/> is
/// log π(a | s) under the current generator (AIRL's logit needs it; GAIL ignores it).
/// </summary>
/// <param name="Observations">s, [N, obsDim].</param>
/// <param name="Actions">Encoded actions, [N, actionFeatures] (see <see cref="RewardNet.EncodeActions"/>).</param>
/// <param name="NextObservations">s′, [N, obsDim].</param>
/// <param name="Dones">1 where s′ is terminal, [N].</param>
/// <param name="LogProbs">log π(a | s), [N].</param>
public sealed record DiscriminatorBatch(Tensor Observations, Tensor Actions, Tensor NextObservations, Tensor Dones, Tensor LogProbs);

/// <summary>The gradient penalty on a reward net's input gradient; double backward makes it trainable.</summary>
public static class GradientPenalty
{
    /// <summary>
    /// The penalty at the given points: mean over rows of (‖∇ₓ r‖ − 1)² for <see cref="GradientPenaltyTarget.Interpolates"/>,
    /// of ‖∇ₓ r‖² for <see cref="GradientPenaltyTarget.Expert"/>, where x = (s, a, s′) (done is a flag, not differentiated).
    /// The gradient is taken with <c>createGraph: true</c>, so the result differentiates with respect to the net's parameters.
    /// </summary>
    /// <param name="net">The reward net r.</param>
    /// <param name="observations">s, [N, obsDim] (only values are used).</param>
    /// <param name="actions">Encoded actions, [N, actionFeatures].</param>
    /// <param name="nextObservations">s′, [N, obsDim].</param>
    /// <param name="dones">[N].</param>
    /// <param name="target">Which form of penalty (the points are the caller's choice).</param>
    public static Tensor At(RewardNet net, Tensor observations, Tensor actions, Tensor nextObservations, Tensor dones, GradientPenaltyTarget target)
    {
        ArgumentNullException.ThrowIfNull(net);
        Tensor[] inputs = [observations.Detach().AsParameter(), actions.Detach().AsParameter(), nextObservations.Detach().AsParameter()];
        var r = net.Forward(inputs[0], inputs[1], inputs[2], dones.Detach());
        var grads = Tensor.Gradients(r.Sum(), inputs, createGraph: true);   // rows are independent, so ∇ of the sum is each row's ∇
        var squared = (grads[0] * grads[0]).Sum(1) + (grads[1] * grads[1]).Sum(1) + (grads[2] * grads[2]).Sum(1);
        if (target == GradientPenaltyTarget.Expert) return squared.Mean();
        var norm = (squared + 1e-12f).Sqrt();                               // ε keeps d‖g‖ finite at g = 0
        return ((norm - 1f) * (norm - 1f)).Mean();
    }

    /// <summary>Random interpolates εx_E + (1 − ε)x_G of two batches of the same size (ε ~ U[0, 1) per row), then <see cref="At"/>.</summary>
    public static Tensor AtInterpolates(RewardNet net, DiscriminatorBatch expert, DiscriminatorBatch generator, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(expert);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(rng);
        int n = expert.Observations.Dim(0);
        if (generator.Observations.Dim(0) != n)
            throw new ArgumentException($"Interpolation pairs rows: {n} expert rows but {generator.Observations.Dim(0)} generator rows.", nameof(generator));
        var epsilon = new float[n];
        for (int i = 0; i < n; i++) epsilon[i] = (float)rng.NextDouble();
        var e = Tensor.FromArray(epsilon, n, 1);
        Tensor Mix(Tensor a, Tensor b) => e * a + (1f - e) * b;
        var eFlat = e.Reshape(n);
        return At(net, Mix(expert.Observations, generator.Observations), Mix(expert.Actions, generator.Actions),
            Mix(expert.NextObservations, generator.NextObservations), eFlat * expert.Dones + (1f - eFlat) * generator.Dones, GradientPenaltyTarget.Interpolates);
    }
}

/// <summary>Diagnostics of one discriminator round (means over its steps).</summary>
/// <param name="Loss">Binary cross-entropy (expert = 1), without the penalty.</param>
/// <param name="Penalty">The gradient penalty before weighting (0 when off).</param>
/// <param name="ExpertAccuracy">Share of expert rows with logit &gt; 0.</param>
/// <param name="GeneratorAccuracy">Share of generator rows with logit &lt; 0.</param>
public sealed record DiscriminatorStats(double Loss, double Penalty, double ExpertAccuracy, double GeneratorAccuracy)
{
    /// <summary>Accuracy over both halves (they are the same size).</summary>
    public double Accuracy => (ExpertAccuracy + GeneratorAccuracy) / 2;
}

/// <summary>
/// Adversarial imitation on top of <see cref="PpoTrainer{TAction}"/> (imitation's <c>AdversarialTrainer</c>):
/// each PPO iteration collects a rollout, the discriminator takes <see cref="AdversarialOptions.DiscriminatorUpdatesPerRound"/>
/// steps telling expert transitions (label 1) from the rollout's (label 0), and the rollout's rewards are
/// replaced by the learned reward before advantages. GAIL and AIRL differ only in the reward net, in how the
/// logit is formed from it and in the reward PPO receives; the logit is always high for the expert
/// (imitation's <c>logits_expert_is_high</c>), so D = σ(logit) = P(expert).
/// </summary>
/// <remarks>
/// <para><b>Randomness.</b> The constructor's <see cref="Rng"/> draws PPO's weights and run seed, the reward net's
/// weights and a seed for the discriminator's own generator (its minibatches and gradient-penalty interpolates). The
/// same seed gives the same numbers, and a resumed run continues bit for bit: a checkpoint saves where that generator
/// stands.</para>
/// <para><b>Checkpoints</b> are single safetensors files written atomically (a temporary file beside the target,
/// then renamed over it, so a failed save leaves the previous checkpoint intact): the policy, value net, reward net
/// (with its running input statistics) and both optimisers' state as tensors, and a JSON manifest in the file's
/// metadata with the algorithm, env, options, PPO's run state (counters, statistics, the envs' episode records) and
/// the trainer's own (where the discriminator's generator stands, reward normaliser, last statistics). See <see cref="SaveCheckpoint"/>,
/// <see cref="Train(string?)"/>, and the <c>Resume</c> of <see cref="GailTrainer{TAction}"/> and <see cref="AirlTrainer{TAction}"/>.</para>
/// </remarks>
public abstract class AdversarialTrainer<TAction> : IDisposable
{
    private readonly PpoTrainer<TAction> _ppo;
    private readonly Transitions _demos;
    private readonly Adam _optimizer;
    private readonly ITrainingLog _log;
    private readonly Rng _rng;
    private readonly RunningRewardNormalizer? _normalizer;

    /// <summary>Builds PPO (with this trainer as its reward hook), the reward net and its optimiser; warm-starts the policy if asked.</summary>
    /// <param name="makeEnv">Builds env copy i, time limit included (see <see cref="PpoTrainer{TAction}"/>).</param>
    /// <param name="demos">Expert transitions in the env's spaces.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="createRewardNet">Builds the reward net from (observation dimension, action space, rng).</param>
    /// <param name="rng">The run's randomness.</param>
    /// <param name="log">Receives <c>ppo/…</c> and <c>disc/…</c> scalars.</param>
    /// <exception cref="ArgumentException">The demonstrations contain terminated episodes and <see cref="AdversarialOptions.AllowVariableHorizon"/> is off, or do not fit the env.</exception>
    protected AdversarialTrainer(Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options,
        Func<int, object, Rng, RewardNet> createRewardNet, Rng rng, ITrainingLog log)
        : this(makeEnv, demos, options, createRewardNet, rng, log, checkpoint: null)
    {
    }

    /// <summary>A fresh run, or with <paramref name="checkpoint"/> one restored from it (then <paramref name="rng"/> draws nothing that lasts).</summary>
    private protected AdversarialTrainer(Func<int, IEnv<float[], TAction>> makeEnv, Transitions demos, AdversarialOptions options,
        Func<int, object, Rng, RewardNet> createRewardNet, Rng rng, ITrainingLog log, AdversarialCheckpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(demos);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createRewardNet);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        if (demos.Count == 0) throw new ArgumentException("Adversarial imitation needs expert transitions; the demonstrations are empty.", nameof(demos));
        if (!options.AllowVariableHorizon)
            for (int i = 0; i < demos.Count; i++)
                if (demos.Dones[i])
                    throw new ArgumentException(VariableHorizonMessage($"demonstration episode {demos.EpisodeIndex[i]} ends by termination (row {i} is done)"), nameof(demos));
        (Options, _demos, _log) = (options, demos, log);
        checkpoint?.CheckOptions(options);
        checkpoint?.CheckDemonstrations(demos);
        _ppo = checkpoint is null
            ? new PpoTrainer<TAction>(makeEnv, options.Ppo, rng, log, RewriteRewards)
            : checkpoint.RestorePpo(makeEnv, options.Ppo, log, RewriteRewards, ppo => SpacesOf(ppo.Policy).Action);
        try
        {
            var (observationSpace, actionSpace) = SpacesOf(_ppo.Policy);
            if (demos.ObservationSize != _ppo.Policy.ObservationDimension)
                throw new ArgumentException($"Demonstrations have {demos.ObservationSize} observation values per row; the env has {_ppo.Policy.ObservationDimension}.", nameof(demos));
            RewardNet = createRewardNet(_ppo.Policy.ObservationDimension, actionSpace, rng);
            _expertActions = RewardNet.EncodeActions(demos.Actions.Span, demos.Count);
            _optimizer = new Adam(RewardNet.NamedParameters(), options.DiscriminatorLearningRate);
            _rng = new Rng((long)(rng.NextUInt64() >> 1));
            if (options.NormalizeRewards) _normalizer = new RunningRewardNormalizer();
            if (checkpoint is not null)
            {
                LastDiscriminatorStats = checkpoint.RestoreDiscriminator(RewardNet, _optimizer, _normalizer, _rng);
            }
            else if (options.WarmStart is BcOptions bc)
            {
                var (cloned, _) = BehaviourCloning.Train(demos, (Spaces.Box)observationSpace, (Spaces.Space<TAction>)actionSpace, _ppo.Policy, bc, _rng, log);
                _ppo.Policy.LoadStateDict(cloned.StateDict());
            }
        }
        catch
        {
            _ppo.Dispose();
            throw;
        }
    }

    private readonly Tensor _expertActions;

    /// <summary>The policy's observation and action spaces (a <see cref="Spaces.Box"/>, and a <see cref="Spaces.Discrete"/> or <see cref="Spaces.Box"/>).</summary>
    private static (object Observation, object Action) SpacesOf(MlpPolicy policy) => policy switch
    {
        DiscretePolicy d => (d.ObservationSpace, d.ActionSpace),
        ContinuousPolicy c => (c.ObservationSpace, c.ActionSpace),
        var p => throw new NotSupportedException($"Unexpected policy type {p.GetType().Name}."),
    };

    /// <summary>The settings of this run.</summary>
    public AdversarialOptions Options { get; }

    /// <summary>The discriminator's reward net.</summary>
    public RewardNet RewardNet { get; }

    /// <summary>The generator's PPO trainer (policy, value, rollout, episode returns).</summary>
    public PpoTrainer<TAction> Ppo => _ppo;

    /// <summary>The generator policy.</summary>
    public MlpPolicy Policy => _ppo.Policy;

    /// <summary>The last round's discriminator diagnostics; null before the first.</summary>
    public DiscriminatorStats? LastDiscriminatorStats { get; private set; }

    /// <summary>The error raised for variable-horizon data or envs: why it biases the reward, and the two ways out.</summary>
    /// <param name="what">What was found, e.g. "env copy 2 terminated an episode".</param>
    public static string VariableHorizonMessage(string what) =>
        $"Adversarial imitation needs fixed-horizon episodes, but {what}. When episode lengths vary, the learned reward " +
        "leaks the episode's end: a mostly positive reward acts as a survival bonus (the policy learns to make episodes long " +
        "whatever the expert did) and a mostly negative one as a penalty that pays it to end them early, so the reward learns " +
        "the horizon instead of the task. Use an env whose episodes all have the same length: wrap it in FixedHorizon " +
        "(Apprentice.Envs.Wrappers.FixedHorizon) or use a seals/ id such as seals/CartPole-v0, and collect the demonstrations " +
        "there; or set AdversarialOptions.AllowVariableHorizon = true to accept the bias.";

    /// <summary>"gail" or "airl": what a checkpoint records, so one is never resumed as the other.</summary>
    public abstract string Algorithm { get; }

    /// <summary>Rounds completed (PPO iterations).</summary>
    public int Round => _ppo.Iteration;

    /// <summary>
    /// Runs the remaining rounds to <see cref="PpoOptions.TotalSteps"/> with the learned reward; returns the policy. With a
    /// path, saves a checkpoint there every <see cref="PpoOptions.CheckpointInterval"/> rounds of <see cref="AdversarialOptions.Ppo"/>
    /// (a round is one PPO iteration) and at the end; an interval of 0 saves only at the end.
    /// </summary>
    /// <param name="checkpointPath">The checkpoint file (see <see cref="SaveCheckpoint"/>), or null for none.</param>
    public MlpPolicy Train(string? checkpointPath = null)
    {
        while (!_ppo.Done)
        {
            _ppo.Iterate();
            if (checkpointPath is not null && _ppo.CheckpointDue) SaveCheckpoint(checkpointPath);
        }
        return Policy;
    }

    /// <summary>
    /// Writes everything the run needs to continue bit for bit to one safetensors file at <paramref name="path"/> (its
    /// folder is created if needed): into a temporary file in the same folder, then renamed over the target, so an
    /// earlier checkpoint there survives any failure intact. Call it between rounds; resume with the trainer's
    /// <c>Resume</c>.
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AdversarialCheckpoint.Write(path, new AdversarialCheckpoint.Contents(Algorithm, Options, _ppo.EnvId, _ppo.Policy.ObservationDimension,
            RewardNet.ActionSpaceText, _demos, _ppo.Iteration, _ppo.SerializeState(), _ppo.Policy, _ppo.Value, _ppo.Optimizer.GetState(), RewardNet,
            _optimizer.GetState(), _rng.GetState(), _normalizer, LastDiscriminatorStats));
    }

    /// <summary>One round: a PPO iteration, whose reward hook trains the discriminator and writes the learned reward.</summary>
    public PpoIterationStats Iterate() => _ppo.Iterate();

    /// <summary>The discriminator's logit, high for the expert, [N].</summary>
    protected abstract Tensor Logits(DiscriminatorBatch batch);

    /// <summary>The reward PPO receives for generator transitions, [N] (computed without a graph).</summary>
    protected abstract Tensor GeneratorReward(DiscriminatorBatch batch);

    /// <summary>Whether <see cref="Logits"/> reads <see cref="DiscriminatorBatch.LogProbs"/> (so expert rows need them computed).</summary>
    protected abstract bool NeedsLogProbs { get; }

    /// <summary>
    /// One discriminator step on the given batches: BCE with expert = 1, plus the weighted gradient penalty.
    /// Public so tests and tools can train the discriminator on fixed data.
    /// </summary>
    public DiscriminatorStats TrainDiscriminator(DiscriminatorBatch expert, DiscriminatorBatch generator)
    {
        ArgumentNullException.ThrowIfNull(expert);
        ArgumentNullException.ThrowIfNull(generator);
        int ne = expert.Observations.Dim(0), ng = generator.Observations.Dim(0);
        var logits = Tensor.Concat([Logits(expert), Logits(generator)], axis: 0);
        var targets = new float[ne + ng];
        Array.Fill(targets, 1f, 0, ne);
        var loss = Loss.BinaryCrossEntropyWithLogits(logits, Tensor.FromArray(targets, ne + ng));
        double penalty = 0;
        var total = loss;
        if (Options.GradientPenaltyWeight > 0)
        {
            var gp = Options.GradientPenaltyAt == GradientPenaltyTarget.Expert
                ? GradientPenalty.At(RewardNet, expert.Observations, expert.Actions, expert.NextObservations, expert.Dones, GradientPenaltyTarget.Expert)
                : GradientPenalty.AtInterpolates(RewardNet, expert, generator, _rng);
            penalty = gp.Item();
            total = loss + (float)Options.GradientPenaltyWeight * gp;
        }
        _optimizer.ZeroGrad();
        total.Backward();
        _optimizer.Step();

        var l = logits.Span;
        int expertRight = 0, generatorRight = 0;
        for (int i = 0; i < ne; i++) if (l[i] > 0) expertRight++;
        for (int i = ne; i < ne + ng; i++) if (l[i] < 0) generatorRight++;
        return new DiscriminatorStats(loss.Item(), penalty, (double)expertRight / ne, (double)generatorRight / ng);
    }

    /// <summary>Expert rows <paramref name="rows"/> as a batch (log-probs under the current policy when the logit needs them).</summary>
    public DiscriminatorBatch ExpertBatch(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var dones = new float[rows.Length];
        var flags = _demos.Dones;
        for (int i = 0; i < rows.Length; i++) dones[i] = flags[rows[i]] ? 1f : 0f;
        var observations = _demos.Observations.IndexSelect(0, rows).Detach();
        var actions = _expertActions.IndexSelect(0, rows).Detach();
        Tensor logProbs;
        if (!NeedsLogProbs) logProbs = Tensor.Zeros(rows.Length);
        else
        {
            var raw = _demos.Actions.Reshape(_demos.Count, _demos.ActionSize).IndexSelect(0, rows).Detach();
            logProbs = PolicyLogProbs(observations, raw);
        }
        return new DiscriminatorBatch(observations, actions, _demos.NextObservations.IndexSelect(0, rows).Detach(), Tensor.FromArray(dones, rows.Length), logProbs);
    }

    /// <summary>Rollout rows <paramref name="rows"/> (indices into <c>[T·N]</c>) as a batch, with the log-probs stored at collection.</summary>
    public DiscriminatorBatch GeneratorBatch(RolloutBuffer buffer, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(rows);
        int d = buffer.ObservationDimension, e = buffer.EnvActionDimension, n = rows.Length;
        var observations = new float[n * d];
        var next = new float[n * d];
        var actions = new float[n * e];
        var dones = new float[n];
        var logProbs = new float[n];
        for (int i = 0; i < n; i++)
        {
            int k = rows[i];
            buffer.Observations.Slice(k * d, d).CopyTo(observations.AsSpan(i * d, d));
            buffer.NextObservations.Slice(k * d, d).CopyTo(next.AsSpan(i * d, d));
            buffer.EnvActions.Slice(k * e, e).CopyTo(actions.AsSpan(i * e, e));
            dones[i] = buffer.Terminated[k] ? 1f : 0f;
            logProbs[i] = buffer.LogProbs[k];
        }
        return new DiscriminatorBatch(Tensor.FromArray(observations, n, d), RewardNet.EncodeActions(actions, n),
            Tensor.FromArray(next, n, d), Tensor.FromArray(dones, n), Tensor.FromArray(logProbs, n));
    }

    /// <summary>log π(a | s) under the current generator for env actions [N, width], without a graph.</summary>
    private Tensor PolicyLogProbs(Tensor observations, Tensor envActions)
    {
        using var scope = Tensor.NoGrad();
        int n = observations.Dim(0);
        switch (_ppo.Policy)
        {
            case DiscretePolicy discrete:
            {
                var indices = new int[n];
                var a = envActions.Span;
                for (int i = 0; i < n; i++) indices[i] = (int)a[i] - discrete.ActionSpace.Start;
                return discrete.Distribution(observations).LogProb(indices).Detach();
            }
            case ContinuousPolicy continuous:
            {
                int width = continuous.ActionDimension;
                var normalized = new float[n * width];
                var a = envActions.Span;
                for (int i = 0; i < n; i++) continuous.Scaler.Normalize(a.Slice(i * width, width), normalized.AsSpan(i * width, width));
                return continuous.Distribution(observations).LogProb(Tensor.FromArray(normalized, n, width)).Detach();
            }
            default:
                throw new NotSupportedException($"Unexpected policy type {_ppo.Policy.GetType().Name}.");
        }
    }

    /// <summary>The PPO reward hook: horizon guard, discriminator round, then the learned reward into the buffer.</summary>
    private void RewriteRewards(RolloutBuffer buffer)
    {
        if (!Options.AllowVariableHorizon)
            for (int k = 0; k < buffer.Count; k++)
                if (buffer.Terminated[k])
                    throw new InvalidOperationException(VariableHorizonMessage($"env copy {k % buffer.Envs} terminated an episode (rollout step {k / buffer.Envs})"));

        int batch = Options.DiscriminatorBatchSize;
        double loss = 0, penalty = 0, expertAccuracy = 0, generatorAccuracy = 0;
        for (int u = 0; u < Options.DiscriminatorUpdatesPerRound; u++)
        {
            var expertRows = new int[batch];
            var generatorRows = new int[batch];
            for (int i = 0; i < batch; i++)
            {
                expertRows[i] = (int)_rng.Integers(0, _demos.Count);
                generatorRows[i] = (int)_rng.Integers(0, buffer.Count);
            }
            var stats = TrainDiscriminator(ExpertBatch(expertRows), GeneratorBatch(buffer, generatorRows));
            (loss, penalty) = (loss + stats.Loss, penalty + stats.Penalty);
            (expertAccuracy, generatorAccuracy) = (expertAccuracy + stats.ExpertAccuracy, generatorAccuracy + stats.GeneratorAccuracy);
        }
        int updates = Options.DiscriminatorUpdatesPerRound;
        LastDiscriminatorStats = new DiscriminatorStats(loss / updates, penalty / updates, expertAccuracy / updates, generatorAccuracy / updates);
        int step = _ppo.Steps;
        _log.Scalar("disc/loss", LastDiscriminatorStats.Loss, step);
        _log.Scalar("disc/gradient_penalty", LastDiscriminatorStats.Penalty, step);
        _log.Scalar("disc/accuracy", LastDiscriminatorStats.Accuracy, step);
        _log.Scalar("disc/expert_accuracy", LastDiscriminatorStats.ExpertAccuracy, step);
        _log.Scalar("disc/generator_accuracy", LastDiscriminatorStats.GeneratorAccuracy, step);

        var all = new int[buffer.Count];
        for (int k = 0; k < all.Length; k++) all[k] = k;
        Tensor reward;
        using (Tensor.NoGrad()) reward = GeneratorReward(GeneratorBatch(buffer, all));   // no-grad: the input statistics stay put
        reward.Span.CopyTo(buffer.Rewards);
        _log.Scalar("disc/mean_learned_reward", Mean(buffer.Rewards), step);
        _normalizer?.Normalize(buffer.Rewards);
    }

    private static double Mean(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += v;
        return values.IsEmpty ? 0 : sum / values.Length;
    }

    /// <summary>Disposes PPO's env copies.</summary>
    public void Dispose()
    {
        _ppo.Dispose();
        GC.SuppressFinalize(this);
    }
}
