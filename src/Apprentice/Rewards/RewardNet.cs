using System.Globalization;
using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;
using Apprentice.Tensors.Serialization;

namespace Apprentice.Rewards;

/// <summary>Which of (s, a, s′, done) a <see cref="BasicRewardNet"/> reads.</summary>
[Flags]
public enum RewardInputs
{
    /// <summary>The state s.</summary>
    State = 1,
    /// <summary>The action a (one-hot for discrete actions).</summary>
    Action = 2,
    /// <summary>The next state s′.</summary>
    NextState = 4,
    /// <summary>The done flag (1 where s′ is terminal).</summary>
    Done = 8,
}

/// <summary>
/// A learned reward r(s, a, s′, done) over a batch: the discriminator's network in GAIL and AIRL.
/// Inputs are tensors, so gradients flow to them too (the gradient penalty needs ∇ₓ r).
/// </summary>
/// <remarks>
/// Actions enter as features: a one-hot row for a <see cref="Discrete"/> space (value − start), the
/// raw vector for a <see cref="Box"/>; <see cref="EncodeActions"/> builds them from the env's actions.
/// </remarks>
public abstract class RewardNet : Module
{
    /// <summary>Sets the input sizes.</summary>
    /// <param name="observationDimension">Floats per flat observation.</param>
    /// <param name="actionSpace">A <see cref="Discrete"/> or a <see cref="Box"/> action space.</param>
    protected RewardNet(int observationDimension, object actionSpace)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationDimension);
        ObservationDimension = observationDimension;
        (DiscreteActions, DiscreteStart, ActionFeatures) = Encoding(actionSpace);
    }

    /// <summary>How actions of <paramref name="actionSpace"/> are encoded: one-hot (with the space's start) or raw.</summary>
    private static (bool Discrete, int Start, int Features) Encoding(object actionSpace) => actionSpace switch
    {
        Discrete d => (true, d.Start, d.N),
        Box b => (false, 0, b.FlatDimension),
        _ => throw new ArgumentException($"Reward nets handle Discrete and Box action spaces; got {actionSpace?.GetType().Name ?? "null"}.", nameof(actionSpace)),
    };

    /// <summary>Floats per flat observation.</summary>
    public int ObservationDimension { get; }

    /// <summary>Floats per encoded action: the number of choices (one-hot) or the action dimension.</summary>
    public int ActionFeatures { get; }

    /// <summary>True when actions are discrete and encoded one-hot.</summary>
    public bool DiscreteActions { get; }

    /// <summary>The discrete space's first value (subtracted before one-hot encoding).</summary>
    public int DiscreteStart { get; }

    /// <summary>The reward of each transition, shape [N].</summary>
    /// <param name="observations">s, [N, obsDim].</param>
    /// <param name="actions">Encoded actions, [N, <see cref="ActionFeatures"/>].</param>
    /// <param name="nextObservations">s′, [N, obsDim].</param>
    /// <param name="dones">1 where s′ is terminal, else 0, [N].</param>
    public abstract Tensor Forward(Tensor observations, Tensor actions, Tensor nextObservations, Tensor dones);

    /// <summary>Not used: a reward net reads four inputs; call the four-argument overload.</summary>
    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException("A reward net reads (s, a, s′, done); call Forward(observations, actions, nextObservations, dones).");

    /// <summary>Encodes env actions, <c>[N, width]</c> floats as the rollout buffer and <c>Transitions</c> hold them, into [N, <see cref="ActionFeatures"/>].</summary>
    /// <exception cref="ArgumentException">The row count does not divide, or a discrete action is outside the space.</exception>
    public Tensor EncodeActions(ReadOnlySpan<float> actions, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (!DiscreteActions)
        {
            if (actions.Length != rows * ActionFeatures)
                throw new ArgumentException($"Expected {rows} × {ActionFeatures} action values; got {actions.Length}.", nameof(actions));
            return Tensor.FromArray(actions, rows, ActionFeatures);
        }
        if (actions.Length != rows)
            throw new ArgumentException($"Expected one discrete action per row ({rows}); got {actions.Length}.", nameof(actions));
        var encoded = new float[rows * ActionFeatures];
        for (int i = 0; i < rows; i++)
        {
            int k = (int)actions[i] - DiscreteStart;
            if (k < 0 || k >= ActionFeatures || k + DiscreteStart != actions[i])
                throw new ArgumentException($"Action {actions[i]} at row {i} is not in the discrete space [{DiscreteStart}, {DiscreteStart + ActionFeatures}).", nameof(actions));
            encoded[i * ActionFeatures + k] = 1f;
        }
        return Tensor.FromArray(encoded, rows, ActionFeatures);
    }

    /// <summary>Metadata written beside the weights so <see cref="RewardNets.Load"/> can rebuild the net.</summary>
    protected abstract Dictionary<string, string> Describe();

    /// <summary>Saves the weights (and spectral-norm buffers) as safetensors with the architecture in the metadata.</summary>
    public void Save(string path)
    {
        var metadata = Describe();
        metadata["observation_dimension"] = ObservationDimension.ToString(CultureInfo.InvariantCulture);
        metadata["action_space"] = ActionSpaceText;
        Checkpoint.Save(this, path, metadata);
    }

    /// <summary>The action space as saved files name it: <c>discrete:{n}:{start}</c> or <c>box:{dimension}</c>.</summary>
    internal string ActionSpaceText => Describe(DiscreteActions, DiscreteStart, ActionFeatures);

    /// <summary><paramref name="actionSpace"/> (a <see cref="Discrete"/> or <see cref="Box"/>) as <see cref="ActionSpaceText"/> names it.</summary>
    internal static string DescribeActionSpace(object actionSpace)
    {
        var (discrete, start, features) = Encoding(actionSpace);
        return Describe(discrete, start, features);
    }

    private static string Describe(bool discrete, int start, int features) => discrete
        ? $"discrete:{features.ToString(CultureInfo.InvariantCulture)}:{start.ToString(CultureInfo.InvariantCulture)}"
        : $"box:{features.ToString(CultureInfo.InvariantCulture)}";

    internal static Sequential BuildMlp(int inputs, int[] hiddenSizes, bool spectralNorm, Rng rng)
    {
        var mlp = Mlp.Create([inputs, .. hiddenSizes, 1], () => new Tanh(), rng);
        if (!spectralNorm) return mlp;
        var children = mlp.Children();
        var layers = new Module[children.Count];
        for (int i = 0; i < layers.Length; i++)
            layers[i] = children[i].Module is Linear linear ? new SpectralNorm(linear, rng) : children[i].Module;
        return new Sequential(layers);
    }
}

/// <summary>
/// The plain reward net: an MLP (tanh hidden layers, one output) on the concatenation of the chosen
/// <see cref="RewardInputs"/>, in the order s, a, s′, done. GAIL's discriminator; AIRL's g.
/// </summary>
public sealed class BasicRewardNet : RewardNet
{
    private readonly Sequential _mlp;

    /// <summary>Builds the MLP.</summary>
    /// <param name="observationDimension">Floats per flat observation.</param>
    /// <param name="actionSpace">A <see cref="Discrete"/> or <see cref="Box"/> action space.</param>
    /// <param name="rng">Initial weights.</param>
    /// <param name="inputs">What the net reads; (s, a) by default, as imitation's <c>BasicRewardNet</c>.</param>
    /// <param name="hiddenSizes">Hidden widths; [32, 32] by default, as imitation's.</param>
    /// <param name="spectralNorm">Wrap every linear layer in <see cref="SpectralNorm"/>.</param>
    /// <param name="normalizeInputs">Standardise the concatenated input with a <see cref="RunningNorm"/> (imitation's default).</param>
    public BasicRewardNet(int observationDimension, object actionSpace, Rng rng, RewardInputs inputs = RewardInputs.State | RewardInputs.Action,
        int[]? hiddenSizes = null, bool spectralNorm = false, bool normalizeInputs = true) : base(observationDimension, actionSpace)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if ((inputs & (RewardInputs.State | RewardInputs.Action | RewardInputs.NextState | RewardInputs.Done)) == 0 || (int)inputs > 15)
            throw new ArgumentException($"A reward net must read at least one of State, Action, NextState, Done; got {inputs}.", nameof(inputs));
        Inputs = inputs;
        HiddenSizes = hiddenSizes is null ? [32, 32] : [.. hiddenSizes];
        SpectralNormalized = spectralNorm;
        int width = 0;
        if (inputs.HasFlag(RewardInputs.State)) width += observationDimension;
        if (inputs.HasFlag(RewardInputs.Action)) width += ActionFeatures;
        if (inputs.HasFlag(RewardInputs.NextState)) width += observationDimension;
        if (inputs.HasFlag(RewardInputs.Done)) width += 1;
        if (normalizeInputs) _normalizer = RegisterModule("input_norm", new RunningNorm(width));
        _mlp = RegisterModule("mlp", BuildMlp(width, [.. HiddenSizes], spectralNorm, rng));
    }

    private readonly RunningNorm? _normalizer;

    /// <summary>Whether the input is standardised by running statistics (updated in training mode only).</summary>
    public bool NormalizesInputs => _normalizer is not null;

    /// <summary>
    /// r(s) for observations [N, obsDim], as floats, without a graph: how a state-only reward (AIRL's recovered g)
    /// scores states. The action inputs are zero and s′ = s, which a net reading only the state ignores.
    /// </summary>
    /// <exception cref="InvalidOperationException">The net reads more than the state, so r(s) is not defined.</exception>
    public float[] StateRewards(Tensor observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (Inputs != RewardInputs.State)
            throw new InvalidOperationException($"This reward net reads {Inputs}, not the state alone; score full transitions with Forward(s, a, s′, done).");
        int n = observations.Dim(0);
        using var scope = Tensor.NoGrad();
        return Forward(observations, Tensor.Zeros(n, ActionFeatures), observations, Tensor.Zeros(n)).ToArray();
    }

    /// <summary>What the net reads.</summary>
    public RewardInputs Inputs { get; }

    /// <summary>Hidden widths of the MLP.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>Whether the linear layers are spectrally normalised.</summary>
    public bool SpectralNormalized { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor observations, Tensor actions, Tensor nextObservations, Tensor dones)
    {
        var parts = new List<Tensor>(4);
        if (Inputs.HasFlag(RewardInputs.State)) parts.Add(observations);
        if (Inputs.HasFlag(RewardInputs.Action)) parts.Add(actions);
        if (Inputs.HasFlag(RewardInputs.NextState)) parts.Add(nextObservations);
        if (Inputs.HasFlag(RewardInputs.Done)) parts.Add(dones.Reshape(dones.Dim(0), 1));
        var x = parts.Count == 1 ? parts[0] : Tensor.Concat(parts, axis: 1);
        if (_normalizer is not null) x = _normalizer.Forward(x);
        var y = _mlp.Forward(x);
        return y.Reshape(y.Dim(0));
    }

    /// <inheritdoc/>
    protected override Dictionary<string, string> Describe() => new()
    {
        ["kind"] = "basic",
        ["inputs"] = ((int)Inputs).ToString(CultureInfo.InvariantCulture),
        ["hidden_sizes"] = string.Join(',', HiddenSizes),
        ["spectral_norm"] = SpectralNormalized ? "true" : "false",
        ["normalize_inputs"] = NormalizesInputs ? "true" : "false",
    };
}

/// <summary>
/// AIRL's shaped reward f(s, a, s′) = g(s, a) + γ·h(s′)·(1 − done) − h(s) (Fu et al., 2018). g (the
/// <see cref="Base"/>) is the reward proper; h is a potential, zeroed at terminal states, so the
/// shaping term changes no optimal policy and g is what transfers.
/// </summary>
public sealed class ShapedRewardNet : RewardNet
{
    private readonly Sequential _potential;

    /// <summary>Builds g and h.</summary>
    /// <param name="observationDimension">Floats per flat observation.</param>
    /// <param name="actionSpace">A <see cref="Discrete"/> or <see cref="Box"/> action space.</param>
    /// <param name="rng">Initial weights, g's first.</param>
    /// <param name="gamma">The discount γ in the shaping term; use the RL discount.</param>
    /// <param name="baseInputs">What g reads; state only by default, so g is a state reward that can be read off (AIRL's disentangled form).</param>
    /// <param name="hiddenSizes">Hidden widths of both g and h; [32, 32] by default.</param>
    /// <param name="spectralNorm">Spectrally normalise every linear layer of g and h.</param>
    /// <param name="normalizeInputs">Standardise the inputs of g and of h with running statistics (imitation's default).</param>
    public ShapedRewardNet(int observationDimension, object actionSpace, Rng rng, double gamma = 0.99,
        RewardInputs baseInputs = RewardInputs.State, int[]? hiddenSizes = null, bool spectralNorm = false, bool normalizeInputs = true)
        : base(observationDimension, actionSpace)
    {
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"Expected γ in [0, 1]; got {gamma}.");
        Gamma = gamma;
        Base = RegisterModule("base", new BasicRewardNet(observationDimension, actionSpace, rng, baseInputs, hiddenSizes, spectralNorm, normalizeInputs));
        if (normalizeInputs) _potentialNormalizer = RegisterModule("potential_norm", new RunningNorm(observationDimension));
        _potential = RegisterModule("potential", BuildMlp(observationDimension, [.. Base.HiddenSizes], spectralNorm, rng));
    }

    private readonly RunningNorm? _potentialNormalizer;

    /// <summary>g, the learned reward without shaping.</summary>
    public BasicRewardNet Base { get; }

    /// <summary>The discount in the shaping term.</summary>
    public double Gamma { get; }

    /// <summary>h(s), the potential, shape [N].</summary>
    public Tensor Potential(Tensor observations)
    {
        var y = _potential.Forward(_potentialNormalizer?.Forward(observations) ?? observations);
        return y.Reshape(y.Dim(0));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor observations, Tensor actions, Tensor nextObservations, Tensor dones)
    {
        var g = Base.Forward(observations, actions, nextObservations, dones);
        var next = Potential(nextObservations) * (1f - dones);            // nothing follows a terminal state
        return g + (float)Gamma * next - Potential(observations);
    }

    /// <inheritdoc/>
    protected override Dictionary<string, string> Describe() => new()
    {
        ["kind"] = "shaped",
        ["inputs"] = ((int)Base.Inputs).ToString(CultureInfo.InvariantCulture),
        ["hidden_sizes"] = string.Join(',', Base.HiddenSizes),
        ["spectral_norm"] = Base.SpectralNormalized ? "true" : "false",
        ["normalize_inputs"] = Base.NormalizesInputs ? "true" : "false",
        ["gamma"] = Gamma.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>Loads reward nets saved by <see cref="RewardNet.Save"/>.</summary>
public static class RewardNets
{
    /// <summary>Rebuilds the net described in the file's metadata and loads its weights.</summary>
    /// <exception cref="InvalidDataException">The metadata is missing or malformed.</exception>
    public static RewardNet Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var metadata = SafeTensors.Read(path).Metadata;
        string Field(string key) => metadata is not null && metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: reward net metadata field '{key}' is missing; was it saved by RewardNet.Save?");
        try
        {
            int obs = int.Parse(Field("observation_dimension"), CultureInfo.InvariantCulture);
            var action = Field("action_space").Split(':');
            object space = action[0] switch
            {
                "discrete" => new Discrete(int.Parse(action[1], CultureInfo.InvariantCulture), int.Parse(action[2], CultureInfo.InvariantCulture)),
                "box" => new Box(Enumerable.Repeat(float.NegativeInfinity, int.Parse(action[1], CultureInfo.InvariantCulture)).ToArray(),
                    Enumerable.Repeat(float.PositiveInfinity, int.Parse(action[1], CultureInfo.InvariantCulture)).ToArray()),
                _ => throw new InvalidDataException($"{path}: unknown action space '{action[0]}'."),
            };
            var inputs = (RewardInputs)int.Parse(Field("inputs"), CultureInfo.InvariantCulture);
            string hidden = Field("hidden_sizes");
            int[] sizes = hidden.Length == 0 ? [] : hidden.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            bool spectral = Field("spectral_norm") == "true";
            // Files from before input normalisation have no field; they were saved without it.
            bool normalized = metadata!.TryGetValue("normalize_inputs", out var flag) && flag == "true";
            RewardNet net = Field("kind") switch
            {
                "basic" => new BasicRewardNet(obs, space, new Rng(0), inputs, sizes, spectral, normalized),
                "shaped" => new ShapedRewardNet(obs, space, new Rng(0), double.Parse(Field("gamma"), CultureInfo.InvariantCulture), inputs, sizes, spectral, normalized),
                var kind => throw new InvalidDataException($"{path}: unknown reward net kind '{kind}'."),
            };
            Checkpoint.Load(net, path);
            return net;
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path}: malformed reward net metadata: {e.Message}", e);
        }
    }
}

/// <summary>
/// Running mean and variance of rewards (parallel-update form, as Stable-Baselines3's
/// <c>RunningMeanStd</c>), used to standardise a learned reward before RL: the discriminator's
/// scale drifts as it trains, and PPO's value targets should not.
/// </summary>
public sealed class RunningRewardNormalizer
{
    private double _count, _mean, _variance = 1;

    /// <summary>A normaliser with no data yet (mean 0, variance 1).</summary>
    /// <param name="epsilon">Added to the variance before the square root, so a constant reward does not divide by 0.</param>
    public RunningRewardNormalizer(double epsilon = 1e-8)
    {
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"Expected a positive ε; got {epsilon}.");
        Epsilon = epsilon;
    }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Rewards seen so far.</summary>
    public double Count => _count;

    /// <summary>Their running mean.</summary>
    public double Mean => _mean;

    /// <summary>Their running (population) variance.</summary>
    public double Variance => _variance;

    /// <summary>Folds <paramref name="rewards"/> into the statistics (one batch update).</summary>
    public void Update(ReadOnlySpan<float> rewards)
    {
        if (rewards.IsEmpty) return;
        double sum = 0;
        foreach (float r in rewards) sum += r;
        double batchMean = sum / rewards.Length, squares = 0;
        foreach (float r in rewards) squares += (r - batchMean) * (r - batchMean);
        double batchVariance = squares / rewards.Length, batchCount = rewards.Length;
        if (_count == 0) { (_count, _mean, _variance) = (batchCount, batchMean, batchVariance); return; }
        double total = _count + batchCount, delta = batchMean - _mean;
        double m2 = _variance * _count + batchVariance * batchCount + delta * delta * _count * batchCount / total;
        (_mean, _variance, _count) = (_mean + delta * batchCount / total, m2 / total, total);
    }

    /// <summary>Puts back statistics read from <see cref="Count"/>, <see cref="Mean"/> and <see cref="Variance"/> (a checkpoint).</summary>
    /// <exception cref="InvalidDataException">A value is negative or not finite.</exception>
    internal void Restore(double count, double mean, double variance)
    {
        if (!(count >= 0) || !double.IsFinite(count) || !double.IsFinite(mean) || !(variance >= 0) || !double.IsFinite(variance))
            throw new InvalidDataException($"Reward normaliser statistics must be finite with count ≥ 0 and variance ≥ 0; found count {count}, mean {mean}, variance {variance}.");
        (_count, _mean, _variance) = (count, mean, variance);
    }

    /// <summary>Rewrites <paramref name="rewards"/> in place as (r − mean) / √(variance + ε), optionally updating the statistics first.</summary>
    public void Normalize(Span<float> rewards, bool update = true)
    {
        if (update) Update(rewards);
        double scale = 1 / Math.Sqrt(_variance + Epsilon);
        for (int i = 0; i < rewards.Length; i++) rewards[i] = (float)((rewards[i] - _mean) * scale);
    }
}
