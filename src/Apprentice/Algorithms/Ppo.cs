using System.Text.Json;
using System.Text.Json.Serialization;
using Apprentice.Algorithms.Common;
using Apprentice.Envs;
using Apprentice.Envs.Vector;
using Apprentice.Envs.Wrappers;
using Apprentice.Policies;
using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.IO;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;
using Apprentice.Tensors.Serialization;

namespace Apprentice.Algorithms;

/// <summary>
/// PPO settings (Schulman et al., 2017), as CleanRL's <c>ppo.py</c> / <c>ppo_continuous_action.py</c>
/// name them. Defaults are CleanRL's unless noted; sizes derived from them
/// (<see cref="BatchSize"/>, <see cref="MinibatchSize"/>, <see cref="Iterations"/>) are computed, never set.
/// </summary>
public sealed record PpoOptions
{
    /// <summary>Env steps to train for, summed over all copies (CleanRL's <c>total_timesteps</c>).</summary>
    public int TotalSteps { get; init; } = 500_000;

    /// <summary>Env copies stepped together (<c>num_envs</c>).</summary>
    public int Envs { get; init; } = 8;

    /// <summary>Steps per copy in each rollout (<c>num_steps</c>): 128 for CleanRL's discrete PPO, 2048 for its continuous one.</summary>
    public int StepsPerEnv { get; init; } = 128;

    /// <summary>Passes over each rollout (<c>update_epochs</c>): 4 discrete, 10 continuous.</summary>
    public int Epochs { get; init; } = 4;

    /// <summary>Minibatches per epoch (<c>num_minibatches</c>); must divide <see cref="BatchSize"/>.</summary>
    public int Minibatches { get; init; } = 4;

    /// <summary>Discount γ.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE's λ.</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>Policy ratio clip ε: the surrogate ignores ratios outside [1 − ε, 1 + ε] that would help it.</summary>
    public double ClipRange { get; init; } = 0.2;

    /// <summary>
    /// Value clipping (<c>clip_vloss</c>): when set, the value loss is the larger of the plain and the clipped
    /// error, the prediction clipped to within this of the rollout's value. Null (the default here, as in
    /// Stable-Baselines3) turns it off; CleanRL uses 0.2.
    /// </summary>
    public double? ValueClipRange { get; init; }

    /// <summary>Weight of the entropy bonus (<c>ent_coef</c>): 0.01 discrete, 0 continuous in CleanRL.</summary>
    public double EntropyCoefficient { get; init; } = 0.01;

    /// <summary>Weight of the value loss (<c>vf_coef</c>).</summary>
    public double ValueCoefficient { get; init; } = 0.5;

    /// <summary>Global gradient-norm clip over policy and value parameters (<c>max_grad_norm</c>).</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Adam's step size (<c>learning_rate</c>) at the first iteration.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>Anneal the learning rate linearly to 0 over the iterations (<c>anneal_lr</c>): iteration k uses lr·(1 − k / Iterations).</summary>
    public bool AnnealLearningRate { get; init; } = true;

    /// <summary>Adam's ε; CleanRL's 1e-5 (PyTorch's default is 1e-8).</summary>
    public double AdamEpsilon { get; init; } = 1e-5;

    /// <summary>Standardise advantages per minibatch (<c>norm_adv</c>).</summary>
    public bool NormalizeAdvantages { get; init; } = true;

    /// <summary>Stop an iteration's epochs early once an epoch's mean approximate KL exceeds this (<c>target_kl</c>); null never stops.</summary>
    public double? TargetKl { get; init; }

    /// <summary>
    /// Normalise observations by running mean and variance (Gymnasium's <c>NormalizeObservation</c>, off by
    /// default as in CleanRL's discrete PPO, on in its continuous one). The statistics are written into the
    /// policy's own normalisation after every iteration, so a saved policy carries them. They are frozen
    /// within an iteration, so the rollout and its update see the same inputs.
    /// </summary>
    public bool NormalizeObservations { get; init; }

    /// <summary>
    /// Scale rewards by the running standard deviation of the discounted return (Gymnasium's
    /// <c>NormalizeReward</c>; CleanRL's continuous PPO), applied after any reward hook. Off by default.
    /// </summary>
    public bool NormalizeRewards { get; init; }

    /// <summary>With <see cref="NormalizeRewards"/>, clip scaled rewards to ±this (CleanRL: 10); null does not clip.</summary>
    public double? RewardClip { get; init; } = 10;

    /// <summary>Hidden widths of the policy MLP (separate from the value MLP, as CleanRL's <c>Agent</c>).</summary>
    public int[] PolicyHiddenSizes { get; init; } = [64, 64];

    /// <summary>Hidden widths of the value MLP.</summary>
    public int[] ValueHiddenSizes { get; init; } = [64, 64];

    /// <summary>Activation of both MLPs.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>Continuous actions: initial log-std of the Gaussian, in the policy's normalised action units ([−1, 1] spans the bounds).</summary>
    public float InitialLogStd { get; init; }

    /// <summary>
    /// CleanRL's <c>layer_init</c>: orthogonal weights with gain √2 in hidden layers, 0.01 in the policy's
    /// output layer (near-uniform initial actions) and 1 in the value's; zero biases. False keeps PyTorch's default init.
    /// </summary>
    public bool OrthogonalInit { get; init; } = true;

    /// <summary>
    /// With a checkpoint folder, save every this many iterations (and always at the end); 0 saves only at the end. GAIL and
    /// AIRL read it as rounds, for their checkpoint file (<see cref="AdversarialTrainer{TAction}.Train(string?)"/>).
    /// </summary>
    public int CheckpointInterval { get; init; }

    /// <summary>Transitions per rollout: <see cref="Envs"/> · <see cref="StepsPerEnv"/>.</summary>
    public int BatchSize => Envs * StepsPerEnv;

    /// <summary>Transitions per gradient step: <see cref="BatchSize"/> / <see cref="Minibatches"/>.</summary>
    public int MinibatchSize => BatchSize / Minibatches;

    /// <summary>Collect-and-update rounds: <see cref="TotalSteps"/> / <see cref="BatchSize"/>, rounded down (as CleanRL).</summary>
    public int Iterations => TotalSteps / BatchSize;

    /// <summary>
    /// These settings with <see cref="TotalSteps"/> multiplied by <paramref name="scale"/>, in whole rollouts, rounded down
    /// as training rounds them (so a budget is never exceeded) but at least one: quick trials of a recipe.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is not finite and positive.</exception>
    public PpoOptions WithBudgetScale(double scale)
    {
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"Expected a finite positive scale; got {scale}.");
        int rollout = Envs * StepsPerEnv;
        return this with { TotalSteps = Math.Max(1, (int)Math.Floor(TotalSteps * scale / rollout + 1e-9)) * rollout };
    }

    /// <summary>Throws on settings that cannot train, naming the setting and the value found.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Envs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(StepsPerEnv);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Minibatches);
        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointInterval);
        if ((long)Envs * StepsPerEnv > int.MaxValue / 64)
            throw new ArgumentOutOfRangeException(nameof(StepsPerEnv), $"A rollout of {Envs} × {StepsPerEnv} steps is too large to store.");
        if (TotalSteps < BatchSize)
            throw new ArgumentOutOfRangeException(nameof(TotalSteps), $"TotalSteps ({TotalSteps}) must cover at least one rollout of Envs × StepsPerEnv = {BatchSize} steps.");
        if (BatchSize % Minibatches != 0)
            throw new ArgumentException($"Minibatches ({Minibatches}) must divide the rollout size Envs × StepsPerEnv = {BatchSize}.", nameof(Minibatches));
        if (NormalizeAdvantages && MinibatchSize < 2)
            throw new ArgumentException($"Normalising advantages needs minibatches of at least 2 transitions; got {MinibatchSize}.", nameof(Minibatches));
        InRange(Gamma, 0, 1, nameof(Gamma));
        InRange(Lambda, 0, 1, nameof(Lambda));
        Positive(ClipRange, nameof(ClipRange));
        if (ValueClipRange is double v) Positive(v, nameof(ValueClipRange));
        NonNegative(EntropyCoefficient, nameof(EntropyCoefficient));
        NonNegative(ValueCoefficient, nameof(ValueCoefficient));
        NonNegative(MaxGradNorm, nameof(MaxGradNorm));
        NonNegative(LearningRate, nameof(LearningRate));
        Positive(AdamEpsilon, nameof(AdamEpsilon));
        if (TargetKl is double kl) Positive(kl, nameof(TargetKl));
        if (RewardClip is double c) Positive(c, nameof(RewardClip));
        if (!float.IsFinite(InitialLogStd)) throw new ArgumentOutOfRangeException(nameof(InitialLogStd), $"Expected a finite initial log-std; got {InitialLogStd}.");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(nameof(Activation), $"Unknown activation {(int)Activation}.");
        CheckWidths(PolicyHiddenSizes, nameof(PolicyHiddenSizes));
        CheckWidths(ValueHiddenSizes, nameof(ValueHiddenSizes));
    }

    private static void InRange(double x, double low, double high, string name)
    {
        if (!(x >= low && x <= high)) throw new ArgumentOutOfRangeException(name, $"Expected {name} in [{low}, {high}]; got {x}.");
    }

    private static void Positive(double x, string name)
    {
        if (!(x > 0) || !double.IsFinite(x)) throw new ArgumentOutOfRangeException(name, $"Expected a finite positive {name}; got {x}.");
    }

    private static void NonNegative(double x, string name)
    {
        if (!(x >= 0) || !double.IsFinite(x)) throw new ArgumentOutOfRangeException(name, $"Expected a finite {name} ≥ 0; got {x}.");
    }

    private static void CheckWidths(int[] widths, string name)
    {
        if (widths is null) throw new ArgumentNullException(name, $"{name} must list the hidden widths (it may be empty).");
        for (int i = 0; i < widths.Length; i++)
            if (widths[i] <= 0) throw new ArgumentOutOfRangeException(name, $"{name}[{i}] is {widths[i]}; widths must be positive.");
    }
}

/// <summary>One-call PPO: build a trainer, run it to <see cref="PpoOptions.TotalSteps"/>, return the policy.</summary>
public static class Ppo
{
    /// <summary>Trains a categorical policy on a discrete-action env (CartPole, Acrobot, …).</summary>
    /// <param name="makeEnv">Builds env copy i (0 … Envs − 1), time limit included; see <see cref="PpoTrainer{TAction}"/> for what it must satisfy.</param>
    /// <param name="options">Hyper-parameters; validated first.</param>
    /// <param name="rng">Initial weights and the run's seed; same state, same result.</param>
    /// <param name="log">Receives <c>ppo/…</c> scalars and progress.</param>
    /// <param name="checkpointFolder">When given, checkpoints are saved there (see <see cref="PpoOptions.CheckpointInterval"/>).</param>
    /// <param name="rewriteRewards">Optional reward hook (GAIL, AIRL); see <see cref="PpoTrainer{TAction}"/>.</param>
    public static DiscretePolicy TrainDiscrete(Func<int, IEnv<float[], int>> makeEnv, PpoOptions options, Rng rng, ITrainingLog log,
        string? checkpointFolder = null, Action<RolloutBuffer>? rewriteRewards = null)
    {
        using var trainer = new PpoTrainer<int>(makeEnv, options, rng, log, rewriteRewards);
        return (DiscretePolicy)trainer.Train(checkpointFolder);
    }

    /// <summary>Trains a Gaussian policy on a continuous-action env (Pendulum, MountainCarContinuous, …).</summary>
    /// <inheritdoc cref="TrainDiscrete"/>
    public static ContinuousPolicy TrainContinuous(Func<int, IEnv<float[], float[]>> makeEnv, PpoOptions options, Rng rng, ITrainingLog log,
        string? checkpointFolder = null, Action<RolloutBuffer>? rewriteRewards = null)
    {
        using var trainer = new PpoTrainer<float[]>(makeEnv, options, rng, log, rewriteRewards);
        return (ContinuousPolicy)trainer.Train(checkpointFolder);
    }
}

/// <summary>Losses and diagnostics of one PPO iteration (means over its gradient steps unless noted).</summary>
/// <param name="Iteration">The iteration, from 1.</param>
/// <param name="Steps">Env steps so far, all copies.</param>
/// <param name="LearningRate">Adam's rate this iteration.</param>
/// <param name="PolicyLoss">Clipped surrogate loss (negated objective).</param>
/// <param name="ValueLoss">½·squared value error (clipped form when enabled).</param>
/// <param name="Entropy">Mean policy entropy, nats.</param>
/// <param name="ApproxKl">Approximate KL(old ‖ new), the estimator mean((r − 1) − log r).</param>
/// <param name="ClipFraction">Share of transitions whose ratio left [1 − ε, 1 + ε].</param>
/// <param name="ExplainedVariance">1 − Var(returns − values) / Var(returns) over the rollout, before the update (NaN if the returns do not vary).</param>
/// <param name="Epochs">Epochs run (fewer than asked when <see cref="PpoOptions.TargetKl"/> stopped early).</param>
/// <param name="EpisodesCompleted">Episodes that ended during this iteration's rollout.</param>
public sealed record PpoIterationStats(int Iteration, int Steps, double LearningRate, double PolicyLoss, double ValueLoss, double Entropy,
    double ApproxKl, double ClipFraction, double ExplainedVariance, int Epochs, int EpisodesCompleted);

/// <summary>
/// PPO with the clipped surrogate, GAE and separate policy and value MLPs, in CleanRL's shape: storage
/// allocated up front as <c>[StepsPerEnv, Envs, …]</c>, then per iteration collect → reward hook → GAE →
/// minibatch epochs → log. One implementation serves discrete (<c>int</c>) and continuous (<c>float[]</c>)
/// actions through a small action-head abstraction.
/// </summary>
/// <remarks>
/// <para><b>Time limits.</b> Copies run in <see cref="AutoresetMode.SameStep"/>, so the true last observation of
/// every episode is known. A truncated episode bootstraps from V of that observation; a terminated one does not
/// (CleanRL's <c>done = terminated | truncated</c> gets this wrong).</para>
/// <para><b>Reward hook.</b> <c>rewriteRewards</c>, when given, is called once per iteration with the freshly
/// collected <see cref="RolloutBuffer"/>, after collection and before advantages. It may read everything
/// (observations, next observations, env actions, flags) and must overwrite <see cref="RolloutBuffer.Rewards"/>
/// in place with finite values: GAIL writes −log(1 − D(s, a)) there, AIRL its f(s, a, s′). It may also train
/// its discriminator on the buffer first. Reward normalisation, if on, applies to what the hook wrote; logged
/// episode returns stay the env's.</para>
/// <para><b>Envs.</b> <c>makeEnv(i)</c> builds copy i, time limit included. Each copy is reset with seeds the
/// trainer derives from its run seed, and the actions of the episode under way are recorded; this is what lets
/// a checkpoint restore the envs exactly (reset, then replay), so the env must reproduce an episode from its
/// reset seed and actions, and its wrappers must keep no state across episodes (leave observation
/// normalisation to <see cref="PpoOptions.NormalizeObservations"/>).</para>
/// <para><b>Reproducibility.</b> The constructor's <see cref="Rng"/> draws the initial weights and a run seed;
/// iteration k samples actions and shuffles minibatches with a generator derived from (run seed, k). So the
/// same seed gives the same numbers, and a run resumed from a checkpoint continues bit for bit as if it had
/// never stopped.</para>
/// <para><b>Checkpoints</b> are folders: <c>policy.safetensors</c> + <c>policy.json</c> (a self-contained
/// policy for <see cref="PolicyFile.Load"/>, observation normalisation included), <c>value.safetensors</c>,
/// <c>optimizer.safetensors</c> and <c>trainer.json</c> (options, counters, running statistics, the envs'
/// episode records).</para>
/// </remarks>
public sealed class PpoTrainer<TAction> : IDisposable
{
    /// <summary>Most recent completed-episode returns kept (in memory and in checkpoints).</summary>
    public const int ReturnHistory = 1000;

    private const int FormatVersion = 1;
    private const string PolicyFileName = "policy.safetensors", ValueFileName = "value.safetensors",
        OptimizerFileName = "optimizer.safetensors", StateFileName = "trainer.json";

    private readonly ActionHead<TAction> _head;
    private readonly ValueNetwork _value;
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly Adam _optimizer;
    private readonly VectorEnv<float[], TAction> _env;
    private readonly ReplayableEpisodes<TAction>[] _copies;
    private readonly ITrainingLog _log;
    private readonly Action<RolloutBuffer>? _rewriteRewards;
    private readonly long _runSeed;

    // Storage, allocated once: the rollout, plus what GAE and the update read.
    private readonly RolloutBuffer _buffer;
    private readonly float[] _nextValues, _gaeRewards;
    private readonly TAction[] _envActions;
    private readonly float[][] _observations;                     // the observation each copy acts on next

    // Running statistics and per-copy episode bookkeeping: all saved in checkpoints.
    private readonly RunningMoments? _observationMoments;
    private readonly RunningMoments? _rewardMoments;
    private readonly double[] _discountedReturns;                 // reward normalisation's per-copy return
    private readonly double[] _episodeReturns;
    private readonly int[] _episodeLengths;
    private readonly List<double> _recentReturns = [];
    private Tensor _valueMean, _valueStd;                         // the policy's normalisation, for the value net

    /// <summary>A fresh run: builds the env copies and networks, resets the envs.</summary>
    /// <param name="makeEnv">Builds env copy i (0 … Envs − 1), time limit included.</param>
    /// <param name="options">Hyper-parameters; validated first.</param>
    /// <param name="rng">Draws the initial weights and the run seed.</param>
    /// <param name="log">Receives <c>ppo/…</c> scalars and progress.</param>
    /// <param name="rewriteRewards">Optional reward hook; see the class remarks.</param>
    /// <exception cref="ArgumentException">The env's observations are not a <see cref="Box"/>, or its actions are neither
    /// <see cref="Discrete"/> nor <see cref="Box"/> as <typeparamref name="TAction"/> requires.</exception>
    public PpoTrainer(Func<int, IEnv<float[], TAction>> makeEnv, PpoOptions options, Rng rng, ITrainingLog log, Action<RolloutBuffer>? rewriteRewards = null)
        : this(makeEnv, options, rng, log, rewriteRewards, runSeed: null)
    {
        var reset = _env.Reset();
        for (int i = 0; i < _observations.Length; i++) _observations[i] = CheckObservation(reset.Observations[i], i);
    }

    private PpoTrainer(Func<int, IEnv<float[], TAction>> makeEnv, PpoOptions options, Rng rng, ITrainingLog log,
        Action<RolloutBuffer>? rewriteRewards, long? runSeed)
    {
        ArgumentNullException.ThrowIfNull(makeEnv);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        (Options, _log, _rewriteRewards) = (options, log, rewriteRewards);
        _runSeed = runSeed ?? (long)(rng.NextUInt64() >> 1);

        _copies = new ReplayableEpisodes<TAction>[options.Envs];
        _env = new VectorEnv<float[], TAction>(options.Envs, i => _copies[i] = new ReplayableEpisodes<TAction>(makeEnv(i), _runSeed, i),
            new VectorEnvOptions { Autoreset = AutoresetMode.SameStep });
        try
        {
            var observationSpace = _env.SingleObservationSpace as Box ?? throw new ArgumentException(
                $"PPO needs flat Box observations; the env has {_env.SingleObservationSpace}.", nameof(makeEnv));
            var architecture = new PolicyArchitecture
            {
                HiddenSizes = options.PolicyHiddenSizes,
                Activation = options.Activation,
                InitialLogStd = options.InitialLogStd,
            };
            _head = ActionHead<TAction>.Create(observationSpace, _env.SingleActionSpace, architecture, rng);
            _value = new ValueNetwork(observationSpace.FlatDimension, options.ValueHiddenSizes, rng, options.Activation);
            if (options.OrthogonalInit)
            {
                LayerInit(_head.Policy.Network, outputGain: 0.01f, rng);
                LayerInit(_value.Network, outputGain: 1f, rng);
            }
            var named = new List<(string, Tensor)>();
            foreach (var (name, p) in _head.Policy.NamedParameters()) named.Add(("policy." + name, p));
            foreach (var (name, p) in _value.NamedParameters()) named.Add(("value." + name, p));
            _parameters = named.ConvertAll(entry => entry.Item2);
            _optimizer = new Adam(named, options.LearningRate, epsilon: options.AdamEpsilon);
        }
        catch
        {
            _env.Dispose();
            throw;
        }

        int d = _head.Policy.ObservationDimension, n = options.Envs, size = options.BatchSize;
        _buffer = new RolloutBuffer(options.StepsPerEnv, n, d, _head.ActionWidth, _head.EnvActionWidth);
        (_nextValues, _gaeRewards) = (new float[size], new float[size]);
        _envActions = new TAction[n];
        _observations = new float[n][];
        if (options.NormalizeObservations) _observationMoments = new RunningMoments(RunningMeanStd.Initial(d));
        if (options.NormalizeRewards) _rewardMoments = new RunningMoments(RunningMeanStd.Initial(1));
        _discountedReturns = new double[n];
        _episodeReturns = new double[n];
        _episodeLengths = new int[n];
        (_valueMean, _valueStd) = (Tensor.Zeros(d), Tensor.Ones(d));
        RefreshNormalization();
    }

    /// <summary>The settings of this run.</summary>
    public PpoOptions Options { get; }

    /// <summary>The policy being trained: a <see cref="DiscretePolicy"/> or a <see cref="ContinuousPolicy"/> (Gaussian head).</summary>
    public MlpPolicy Policy => _head.Policy;

    /// <summary>The critic V(s); it reads observations normalised as the policy does.</summary>
    public ValueNetwork Value => _value;

    /// <summary>Iterations completed.</summary>
    public int Iteration { get; private set; }

    /// <summary>Env steps taken so far, all copies.</summary>
    public int Steps { get; private set; }

    /// <summary>True once <see cref="PpoOptions.Iterations"/> iterations have run.</summary>
    public bool Done => Iteration >= Options.Iterations;

    /// <summary>The latest rollout (refilled by every <see cref="Iterate"/>).</summary>
    public RolloutBuffer Rollout => _buffer;

    /// <summary>Env returns of the most recently completed episodes (at most <see cref="ReturnHistory"/>), oldest first.</summary>
    public IReadOnlyList<double> RecentEpisodeReturns => _recentReturns;

    /// <summary>Mean env return of the last <paramref name="count"/> completed episodes (fewer if fewer ended); NaN if none has.</summary>
    public double MeanRecentReturn(int count = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int take = Math.Min(count, _recentReturns.Count);
        if (take == 0) return double.NaN;
        double sum = 0;
        for (int i = _recentReturns.Count - take; i < _recentReturns.Count; i++) sum += _recentReturns[i];
        return sum / take;
    }

    /// <summary>Runs the remaining iterations; with a folder, saves checkpoints there as <see cref="PpoOptions.CheckpointInterval"/> says and at the end.</summary>
    /// <returns>The trained <see cref="Policy"/>.</returns>
    public MlpPolicy Train(string? checkpointFolder = null)
    {
        while (!Done)
        {
            Iterate();
            if (checkpointFolder is not null && CheckpointDue) SaveCheckpoint(checkpointFolder);
        }
        return Policy;
    }

    /// <summary>Whether the iteration just run ends a <see cref="PpoOptions.CheckpointInterval"/> (or the run).</summary>
    internal bool CheckpointDue => Done || (Options.CheckpointInterval > 0 && Iteration % Options.CheckpointInterval == 0);

    /// <summary>One iteration: collect a rollout, run the reward hook, compute advantages, update, log.</summary>
    /// <exception cref="InvalidOperationException">All iterations have run, or the reward hook wrote a non-finite reward.</exception>
    public PpoIterationStats Iterate()
    {
        if (Done) throw new InvalidOperationException($"PPO has run all {Options.Iterations} iterations ({Options.TotalSteps} steps); resume with a larger TotalSteps to go on.");
        var rng = new Rng(Seeds.Derive(_runSeed, 0, Iteration));
        double learningRate = Options.AnnealLearningRate ? Options.LearningRate * (1 - (double)Iteration / Options.Iterations) : Options.LearningRate;
        _optimizer.LearningRate = learningRate;

        int episodes = Collect(rng);
        if (_rewriteRewards is not null)
        {
            _rewriteRewards(_buffer);
            CheckRewards();
        }
        ComputeAdvantages();
        var (policyLoss, valueLoss, entropy, approxKl, clipFraction, epochs) = Update(rng);
        double explained = ExplainedVariance(_buffer.Values, _buffer.Returns);
        Iteration++;
        RefreshNormalization();

        var stats = new PpoIterationStats(Iteration, Steps, learningRate, policyLoss, valueLoss, entropy, approxKl, clipFraction, explained, epochs, episodes);
        _log.Scalar("ppo/policy_loss", policyLoss, Steps);
        _log.Scalar("ppo/value_loss", valueLoss, Steps);
        _log.Scalar("ppo/entropy", entropy, Steps);
        _log.Scalar("ppo/approx_kl", approxKl, Steps);
        _log.Scalar("ppo/clip_fraction", clipFraction, Steps);
        _log.Scalar("ppo/explained_variance", explained, Steps);
        _log.Scalar("ppo/learning_rate", learningRate, Steps);
        _log.Progress("ppo", Steps, Options.Iterations * Options.BatchSize);
        return stats;
    }

    // ---- collect ----------------------------------------------------------------------------

    /// <summary>Fills the buffer with StepsPerEnv steps of every copy; returns how many episodes ended.</summary>
    private int Collect(Rng rng)
    {
        int n = Options.Envs, d = _buffer.ObservationDimension, a = _buffer.ActionDimension, e = _buffer.EnvActionDimension;
        int episodes = 0;
        _buffer.Iteration = Iteration;
        for (int t = 0; t < Options.StepsPerEnv; t++)
        {
            int row = t * n;
            var observationRows = _buffer.ObservationData.AsSpan(row * d, n * d);
            for (int i = 0; i < n; i++)
            {
                _observations[i].CopyTo(observationRows.Slice(i * d, d));
                _observationMoments?.Update(_observations[i]);
            }
            var observations = Tensor.FromArray(observationRows, n, d);
            _head.Sample(observations, rng, _buffer.ActionData.AsSpan(row * a, n * a), _buffer.LogProbData.AsSpan(row, n),
                _envActions, _buffer.EnvActionData.AsSpan(row * e, n * e));
            using (Tensor.NoGrad()) _value.Forward(ValueInput(observations)).Span.CopyTo(_buffer.ValueData.AsSpan(row, n));

            var result = _env.Step(_envActions);
            Steps += n;
            for (int i = 0; i < n; i++)
            {
                int k = row + i;
                double reward = result.Rewards[i];
                _buffer.EnvRewardData[k] = _buffer.RewardData[k] = (float)reward;
                _buffer.TerminatedData[k] = result.Terminated[i];
                _buffer.TruncatedData[k] = result.Truncated[i];
                bool done = result.Done(i);
                var next = CheckObservation(done ? result.FinalObservations![i] : result.Observations[i], i);
                next.CopyTo(_buffer.NextObservationData.AsSpan(k * d, d));
                _observations[i] = CheckObservation(result.Observations[i], i);

                _episodeReturns[i] += reward;
                _episodeLengths[i]++;
                if (!done) continue;
                episodes++;
                _log.Scalar("ppo/episode_return", _episodeReturns[i], Steps);
                _log.Scalar("ppo/episode_length", _episodeLengths[i], Steps);
                if (_recentReturns.Count == ReturnHistory) _recentReturns.RemoveAt(0);
                _recentReturns.Add(_episodeReturns[i]);
                (_episodeReturns[i], _episodeLengths[i]) = (0, 0);
            }
        }
        return episodes;
    }

    private float[] CheckObservation(float[] observation, int copy)
    {
        if (observation is null || observation.Length != _buffer.ObservationDimension)
            throw new InvalidOperationException($"Env copy {copy} returned an observation of length {observation?.Length}; expected {_buffer.ObservationDimension}.");
        return observation;
    }

    /// <summary>Observations as the value net reads them: normalised like the policy's input.</summary>
    private Tensor ValueInput(Tensor observations) =>
        Options.NormalizeObservations ? (observations - _valueMean) / _valueStd : observations;

    private void CheckRewards()
    {
        var rewards = _buffer.RewardData;
        for (int k = 0; k < rewards.Length; k++)
            if (!float.IsFinite(rewards[k]))
                throw new InvalidOperationException($"The reward hook left reward {rewards[k]} at step {k / _buffer.Envs}, env copy {k % _buffer.Envs}; rewards must be finite.");
    }

    // ---- advantages -------------------------------------------------------------------------

    private void ComputeAdvantages()
    {
        int n = Options.Envs, steps = Options.StepsPerEnv, d = _buffer.ObservationDimension;
        var rewards = _buffer.RewardData;
        if (_rewardMoments is not null)
        {
            ScaleRewards(rewards, _gaeRewards);
            rewards = _gaeRewards;
        }

        // V(s′): the next row's value where the episode goes on; the final observation's value after a
        // truncation and after the last row, computed in one batch; nothing after a termination.
        var bootstrap = new List<int>();
        for (int k = 0; k < _nextValues.Length; k++)
        {
            _nextValues[k] = 0;
            if (_buffer.TerminatedData[k]) continue;
            if (_buffer.TruncatedData[k] || k >= (steps - 1) * n) bootstrap.Add(k);
            else _nextValues[k] = _buffer.ValueData[k + n];
        }
        var rows = new float[bootstrap.Count * d];
        for (int j = 0; j < bootstrap.Count; j++) _buffer.NextObservationData.AsSpan(bootstrap[j] * d, d).CopyTo(rows.AsSpan(j * d, d));
        if (bootstrap.Count > 0)
        {
            Tensor values;
            using (Tensor.NoGrad()) values = _value.Forward(ValueInput(Tensor.FromArray(rows, bootstrap.Count, d)));
            var v = values.Span;
            for (int j = 0; j < bootstrap.Count; j++) _nextValues[bootstrap[j]] = v[j];
        }

        Gae.Compute(steps, n, rewards, _buffer.ValueData, _nextValues, _buffer.TerminatedData, _buffer.TruncatedData,
            Options.Gamma, Options.Lambda, _buffer.AdvantageData, _buffer.ReturnData);
    }

    /// <summary>
    /// Gymnasium's <c>NormalizeReward</c>, replayed in step order: each copy's discounted return is updated,
    /// it updates the running variance, and the reward is divided by √(var + 1e-8) (then clipped). Unlike
    /// Gymnasium the return restarts after truncations too: the next reward belongs to a new episode.
    /// </summary>
    private void ScaleRewards(ReadOnlySpan<float> rewards, Span<float> scaled)
    {
        int n = Options.Envs;
        Span<float> sample = stackalloc float[1];
        for (int k = 0; k < rewards.Length; k++)
        {
            int i = k % n;
            _discountedReturns[i] = _discountedReturns[i] * Options.Gamma + rewards[k];
            sample[0] = (float)_discountedReturns[i];
            _rewardMoments!.Update(sample);
            double r = rewards[k] / Math.Sqrt(_rewardMoments.Var[0] + 1e-8);
            if (Options.RewardClip is double c) r = Math.Clamp(r, -c, c);
            scaled[k] = (float)r;
            if (_buffer.TerminatedData[k] || _buffer.TruncatedData[k]) _discountedReturns[i] = 0;
        }
    }

    // ---- update -----------------------------------------------------------------------------

    private (double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction, int Epochs) Update(Rng rng)
    {
        int batch = Options.BatchSize, size = Options.MinibatchSize, d = _buffer.ObservationDimension, a = _buffer.ActionDimension;
        float clip = (float)Options.ClipRange;
        var observations = new float[size * d];
        var actions = new float[size * a];
        var oldLogProbs = new float[size];
        var advantages = new float[size];
        var returns = new float[size];
        var oldValues = new float[size];
        double policySum = 0, valueSum = 0, entropySum = 0, klSum = 0, clipSum = 0;
        int updates = 0, epochs = 0;

        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            var order = rng.Permutation(batch);
            double epochKl = 0;
            int epochUpdates = 0;
            for (int start = 0; start < batch; start += size)
            {
                for (int j = 0; j < size; j++)
                {
                    int k = order[start + j];
                    _buffer.ObservationData.AsSpan(k * d, d).CopyTo(observations.AsSpan(j * d, d));
                    _buffer.ActionData.AsSpan(k * a, a).CopyTo(actions.AsSpan(j * a, a));
                    (oldLogProbs[j], advantages[j], returns[j], oldValues[j]) = (_buffer.LogProbData[k], _buffer.AdvantageData[k], _buffer.ReturnData[k], _buffer.ValueData[k]);
                }
                if (Options.NormalizeAdvantages) Standardize(advantages);

                var input = Tensor.FromArray(observations, size, d);
                var (logProb, entropy) = _head.Evaluate(input, actions);
                var logRatio = logProb - Tensor.FromArray(oldLogProbs, size);
                var ratio = logRatio.Exp();
                var advantage = Tensor.FromArray(advantages, size);
                var policyLoss = Tensor.Maximum(-advantage * ratio, -advantage * ratio.Clamp(1 - clip, 1 + clip)).Mean();

                var value = _value.Forward(ValueInput(input));
                var target = Tensor.FromArray(returns, size);
                var error = (value - target).Square();
                if (Options.ValueClipRange is double vc)
                {
                    var old = Tensor.FromArray(oldValues, size);
                    var clipped = old + (value - old).Clamp(-(float)vc, (float)vc);
                    error = Tensor.Maximum(error, (clipped - target).Square());
                }
                var valueLoss = 0.5f * error.Mean();
                var entropyMean = entropy.Mean();
                var loss = policyLoss - (float)Options.EntropyCoefficient * entropyMean + (float)Options.ValueCoefficient * valueLoss;

                _optimizer.ZeroGrad();
                loss.Backward();
                GradClip.ClipGradNorm(_parameters, Options.MaxGradNorm);
                _optimizer.Step();

                var (kl, clipped01) = RatioDiagnostics(logRatio.Span, ratio.Span, clip);
                policySum += policyLoss.Item();
                valueSum += valueLoss.Item();
                entropySum += entropyMean.Item();
                klSum += kl;
                clipSum += clipped01;
                epochKl += kl;
                updates++;
                epochUpdates++;
            }
            epochs++;
            if (Options.TargetKl is double targetKl && epochKl / epochUpdates > targetKl) break;
        }
        return (policySum / updates, valueSum / updates, entropySum / updates, klSum / updates, clipSum / updates, epochs);
    }

    /// <summary>(x − mean) / (std + 1e-8) in place, with the unbiased std as <c>torch.std</c>.</summary>
    private static void Standardize(Span<float> x)
    {
        double mean = 0;
        foreach (float v in x) mean += v;
        mean /= x.Length;
        double squares = 0;
        foreach (float v in x) squares += (v - mean) * (v - mean);
        double std = Math.Sqrt(squares / (x.Length - 1));
        for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - mean) / (std + 1e-8));
    }

    /// <summary>CleanRL's approx_kl = mean((r − 1) − log r) and the share of ratios with |r − 1| &gt; ε.</summary>
    private static (double Kl, double ClipFraction) RatioDiagnostics(ReadOnlySpan<float> logRatio, ReadOnlySpan<float> ratio, float clip)
    {
        double kl = 0;
        int clipped = 0;
        for (int i = 0; i < ratio.Length; i++)
        {
            kl += (ratio[i] - 1.0) - logRatio[i];
            if (MathF.Abs(ratio[i] - 1f) > clip) clipped++;
        }
        return (kl / ratio.Length, (double)clipped / ratio.Length);
    }

    private static double ExplainedVariance(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        double varianceActual = Variance(actual, default);
        return varianceActual == 0 ? double.NaN : 1 - Variance(actual, predicted) / varianceActual;
    }

    /// <summary>Population variance of x − y (of x alone when y is empty).</summary>
    private static double Variance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double mean = 0;
        for (int i = 0; i < x.Length; i++) mean += x[i] - (y.IsEmpty ? 0 : y[i]);
        mean /= x.Length;
        double squares = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = x[i] - (y.IsEmpty ? 0 : y[i]) - mean;
            squares += r * r;
        }
        return squares / x.Length;
    }

    /// <summary>Copies the running observation statistics into the policy (and the value net's input), ready for the next rollout.</summary>
    private void RefreshNormalization()
    {
        if (_observationMoments is null) return;
        int d = _observationMoments.Dimension;
        var mean = new float[d];
        var std = new float[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = (float)_observationMoments.Mean[j];
            std[j] = (float)Math.Sqrt(_observationMoments.Var[j] + 1e-8);   // Gymnasium's ε
        }
        _head.Policy.SetNormalization(mean, std);
        (_valueMean, _valueStd) = (Tensor.FromArray(mean, d), Tensor.FromArray(std, d));
    }

    /// <summary>CleanRL's <c>layer_init</c>: orthogonal weights (gain √2, the output layer <paramref name="outputGain"/>), zero biases.</summary>
    private static void LayerInit(Sequential network, float outputGain, Rng rng)
    {
        var layers = new List<Linear>();
        foreach (var (_, module) in network.Children())
            if (module is Linear linear) layers.Add(linear);
        for (int l = 0; l < layers.Count; l++)
        {
            Init.Orthogonal(layers[l].Weight, rng, l == layers.Count - 1 ? outputGain : MathF.Sqrt(2f));
            if (layers[l].Bias is { } bias) Init.Zeros(bias);
        }
    }

    // ---- checkpoints ------------------------------------------------------------------------

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes a checkpoint into <paramref name="folder"/> (created if needed; earlier files are replaced, each
    /// atomically). <c>trainer.json</c> goes last and the weights carry the iteration, so a checkpoint torn by
    /// a crash is detected on resume rather than mixed.
    /// </summary>
    public void SaveCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        var stamp = new Dictionary<string, string> { ["algorithm"] = "ppo", ["iteration"] = Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        PolicyFile.Save(_head.Policy, Path.Combine(folder, PolicyFileName), stamp);
        _value.Save(Path.Combine(folder, ValueFileName), stamp);
        _optimizer.Save(Path.Combine(folder, OptimizerFileName));
        AtomicFile.WriteAllText(Path.Combine(folder, StateFileName), SerializeState());
    }

    /// <summary>The env id of the copies (from their <see cref="EnvSpec"/>), null when the env has no spec.</summary>
    internal string? EnvId => _copies[0].Spec?.Id;

    /// <summary>PPO's optimiser over policy and value parameters (for checkpoints that hold it elsewhere).</summary>
    internal Adam Optimizer => _optimizer;

    /// <summary>
    /// Everything of the run that is not a tensor (options, counters, running statistics, the envs' episode
    /// records) as the JSON of <c>trainer.json</c>; another trainer's checkpoint can embed it.
    /// </summary>
    internal string SerializeState()
    {
        var state = new SavedState
        {
            FormatVersion = FormatVersion,
            Options = Options,
            RunSeed = _runSeed,
            Iteration = Iteration,
            Steps = Steps,
            OptimizerSteps = _optimizer.StepCount,
            ObservationStatistics = _observationMoments is null ? null : SavedMoments.From(_observationMoments.Snapshot()),
            RewardStatistics = _rewardMoments is null ? null : SavedMoments.From(_rewardMoments.Snapshot()),
            DiscountedReturns = [.. _discountedReturns],
            Copies = [.. _copies.Select((c, i) => new SavedCopy
            {
                Episode = c.Episode,
                Actions = [.. c.EpisodeActions],
                EpisodeReturn = _episodeReturns[i],
                EpisodeLength = _episodeLengths[i],
            })],
            RecentReturns = [.. _recentReturns],
        };
        return JsonSerializer.Serialize(state, Json);
    }

    /// <summary>
    /// Continues a run from a checkpoint folder written by <see cref="SaveCheckpoint"/>: the same options
    /// (optionally a new <paramref name="totalSteps"/>), weights, optimizer state, statistics, and env states
    /// rebuilt by replay. Training on from here gives the numbers an uninterrupted run would have.
    /// </summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="makeEnv">Builds env copy i; must build the same envs as the original run.</param>
    /// <param name="log">Receives <c>ppo/…</c> scalars and progress.</param>
    /// <param name="rewriteRewards">The reward hook, if the run had one (hooks are code, not saved).</param>
    /// <param name="totalSteps">Overrides <see cref="PpoOptions.TotalSteps"/> to train longer; an annealed learning rate is re-planned for the new length.</param>
    /// <exception cref="InvalidDataException">A file is missing, malformed, from another format version, or from a different iteration than the others.</exception>
    public static PpoTrainer<TAction> Resume(string folder, Func<int, IEnv<float[], TAction>> makeEnv, ITrainingLog log,
        Action<RolloutBuffer>? rewriteRewards = null, int? totalSteps = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string statePath = Path.Combine(folder, StateFileName);
        if (!File.Exists(statePath)) throw new InvalidDataException($"{statePath}: PPO checkpoint state not found.");
        var state = ParseState(File.ReadAllText(statePath), statePath);
        var options = state.Options!;
        if (totalSteps is int total) options = options with { TotalSteps = total };
        return Restore(state, statePath, makeEnv, options, log, rewriteRewards, trainer => trainer.LoadWeightFiles(folder, state));
    }

    /// <summary>
    /// Rebuilds a run from PPO's state as <see cref="SerializeState"/> wrote it, for a checkpoint that holds it
    /// elsewhere: <paramref name="loadWeights"/> puts the policy, value and optimiser weights in place (and may check
    /// the envs first); then counters, statistics and the envs (by replay) are restored.
    /// </summary>
    /// <param name="stateJson">The state's JSON.</param>
    /// <param name="source">Where it came from, named in errors.</param>
    /// <param name="makeEnv">Builds env copy i; must build the same envs as the original run.</param>
    /// <param name="options">The run's options (the caller checks they fit the checkpoint).</param>
    /// <param name="log">Receives <c>ppo/…</c> scalars and progress.</param>
    /// <param name="rewriteRewards">The reward hook.</param>
    /// <param name="loadWeights">Loads the weights into the new trainer; returns where the optimiser state came from (named in errors).</param>
    internal static PpoTrainer<TAction> Restore(string stateJson, string source, Func<int, IEnv<float[], TAction>> makeEnv, PpoOptions options,
        ITrainingLog log, Action<RolloutBuffer>? rewriteRewards, Func<PpoTrainer<TAction>, string> loadWeights) =>
        Restore(ParseState(stateJson, source), source, makeEnv, options, log, rewriteRewards, loadWeights);

    private static SavedState ParseState(string json, string source)
    {
        SavedState state;
        try
        {
            state = JsonSerializer.Deserialize<SavedState>(json, Json)
                ?? throw new InvalidDataException($"{source}: the checkpoint state is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid PPO checkpoint state: {e.Message}", e);
        }
        if (state.FormatVersion != FormatVersion)
            throw new InvalidDataException($"{source}: field 'format_version': expected {FormatVersion}, found {state.FormatVersion}.");
        if (state.Options is null) throw new InvalidDataException($"{source}: field 'options' is missing.");
        return state;
    }

    private static PpoTrainer<TAction> Restore(SavedState state, string source, Func<int, IEnv<float[], TAction>> makeEnv, PpoOptions options,
        ITrainingLog log, Action<RolloutBuffer>? rewriteRewards, Func<PpoTrainer<TAction>, string> loadWeights)
    {
        if (state.Copies is null || state.Copies.Count != options.Envs)
            throw new InvalidDataException($"{source}: field 'copies': expected {options.Envs} env records, found {state.Copies?.Count}.");

        var trainer = new PpoTrainer<TAction>(makeEnv, options, new Rng(0), log, rewriteRewards, state.RunSeed);
        try
        {
            string optimizerSource = loadWeights(trainer);
            if (trainer._optimizer.StepCount != state.OptimizerSteps)
                throw new InvalidDataException($"{optimizerSource}: holds {trainer._optimizer.StepCount} optimiser steps, but {StateFileName} expects {state.OptimizerSteps}; the checkpoint is incomplete.");
            trainer.RestoreRun(state);
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
        return trainer;
    }

    /// <summary>Loads the weight and optimiser files, checking they were saved at the state's iteration; returns the optimiser file's path.</summary>
    private string LoadWeightFiles(string folder, SavedState state)
    {
        string iteration = state.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (module, file) in new (Module, string)[] { (_head.Policy, PolicyFileName), (_value, ValueFileName) })
        {
            string path = Path.Combine(folder, file);
            var metadata = module.Load(path);
            if (!metadata.TryGetValue("iteration", out var saved) || saved != iteration)
                throw new InvalidDataException($"{path}: saved at iteration {saved ?? "?"}, but {StateFileName} is at iteration {iteration}; the checkpoint is incomplete.");
        }
        string optimizerPath = Path.Combine(folder, OptimizerFileName);
        _optimizer.Load(optimizerPath);
        return optimizerPath;
    }

    /// <summary>Counters, running statistics and the envs (reset, then each copy's episode replayed) from a checkpoint's state.</summary>
    private void RestoreRun(SavedState state)
    {
        (Iteration, Steps) = (state.Iteration, state.Steps);
        RestoreMoments(_observationMoments, state.ObservationStatistics, "observation_statistics");
        RestoreMoments(_rewardMoments, state.RewardStatistics, "reward_statistics");
        if (_rewardMoments is not null)
        {
            if (state.DiscountedReturns is not { } returns || returns.Length != _discountedReturns.Length)
                throw new InvalidDataException($"Checkpoint field 'discounted_returns': expected {_discountedReturns.Length} values (one per env copy), found {state.DiscountedReturns?.Length}.");
            returns.CopyTo(_discountedReturns, 0);
        }
        _recentReturns.AddRange(state.RecentReturns ?? []);
        RefreshNormalization();

        _env.Reset();                                              // the vector env must have been reset before stepping
        for (int i = 0; i < _copies.Length; i++)
        {
            var copy = state.Copies![i];
            _observations[i] = CheckObservation(_copies[i].Restore(copy.Episode, copy.Actions ?? []), i);
            (_episodeReturns[i], _episodeLengths[i]) = (copy.EpisodeReturn, copy.EpisodeLength);
        }
    }

    private static void RestoreMoments(RunningMoments? moments, SavedMoments? saved, string field)
    {
        if (moments is null) return;
        if (saved is null) throw new InvalidDataException($"Checkpoint field '{field}' is missing although the options normalise.");
        moments.Load(new RunningMeanStd(saved.Count, saved.Mean ?? [], saved.Var ?? []));
    }

    /// <summary>Disposes the env copies.</summary>
    public void Dispose() => _env.Dispose();

    private sealed class SavedState
    {
        public int FormatVersion { get; set; }
        public PpoOptions? Options { get; set; }
        public long RunSeed { get; set; }
        public int Iteration { get; set; }
        public int Steps { get; set; }
        public int OptimizerSteps { get; set; }
        public SavedMoments? ObservationStatistics { get; set; }
        public SavedMoments? RewardStatistics { get; set; }
        public double[]? DiscountedReturns { get; set; }
        public List<SavedCopy>? Copies { get; set; }
        public List<double>? RecentReturns { get; set; }
    }

    private sealed class SavedCopy
    {
        public long Episode { get; set; }
        public List<TAction>? Actions { get; set; }
        public double EpisodeReturn { get; set; }
        public int EpisodeLength { get; set; }
    }

    private sealed class SavedMoments
    {
        public double Count { get; set; }
        public double[]? Mean { get; set; }
        public double[]? Var { get; set; }

        public static SavedMoments From(RunningMeanStd s) => new() { Count = s.Count, Mean = [.. s.Mean], Var = [.. s.Var] };
    }
}
