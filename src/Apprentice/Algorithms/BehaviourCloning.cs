using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Policies;
using Apprentice.Spaces;
using Apprentice.Tensors;
using TensorLoss = Apprentice.Tensors.Losses.Loss;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;

namespace Apprentice.Algorithms;

/// <summary>What behaviour cloning minimises for continuous actions.</summary>
public enum ContinuousLoss
{
    /// <summary>Mean squared error between the policy's action and the expert's, both in the normalised [−1, 1] range (any head).</summary>
    Mse,
    /// <summary>Negative log-likelihood of the expert's normalised action under the policy's Gaussian (Gaussian head only).</summary>
    GaussianNll,
}

/// <summary>Behaviour-cloning settings (supervised learning of the expert's action from its state).</summary>
public sealed record BcOptions
{
    /// <summary>
    /// Gradient steps (minibatch updates) per fit. The budget is steps, not epochs, so a fit costs
    /// the same however large the dataset grows, which keeps DAgger's later rounds as cheap as its first.
    /// </summary>
    public int Steps { get; init; } = 2_000;

    /// <summary>Transitions per minibatch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam's step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Weight w of the L2 penalty w·½‖θ‖² on every parameter (as <c>imitation</c>'s <c>l2_weight</c>);
    /// applied as Adam's coupled weight decay, which adds exactly its gradient w·θ.
    /// </summary>
    public double L2Weight { get; init; }

    /// <summary>
    /// Weight w of the entropy bonus for stochastic heads: loss −= w·mean entropy. Needs a
    /// distribution to take the entropy of: discrete policies, or <see cref="ContinuousLoss.GaussianNll"/>.
    /// </summary>
    public double EntropyWeight { get; init; }

    /// <summary>The loss for continuous actions.</summary>
    public ContinuousLoss ContinuousLoss { get; init; } = ContinuousLoss.Mse;

    /// <summary>
    /// Share of the data held out to measure the validation loss, in [0, 1); 0 trains on everything.
    /// Whole episodes are held out when the data has at least two, because consecutive states of one
    /// episode are nearly equal and a row-wise split would leak them into both sides.
    /// </summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Network shape of a fresh policy (a warm start keeps its own).</summary>
    public PolicyArchitecture Architecture { get; init; } = new();

    /// <summary>Throws if a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"BC needs at least one gradient step; got Steps = {Steps}.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"BatchSize must be positive; got {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"LearningRate must be finite and positive; got {LearningRate}.");
        if (!(L2Weight >= 0) || !double.IsFinite(L2Weight))
            throw new ArgumentOutOfRangeException(nameof(L2Weight), $"L2Weight must be finite and ≥ 0; got {L2Weight}.");
        if (!(EntropyWeight >= 0) || !double.IsFinite(EntropyWeight))
            throw new ArgumentOutOfRangeException(nameof(EntropyWeight), $"EntropyWeight must be finite and ≥ 0; got {EntropyWeight}.");
        if (!Enum.IsDefined(ContinuousLoss)) throw new ArgumentOutOfRangeException(nameof(ContinuousLoss), $"Unknown continuous loss {(int)ContinuousLoss}.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"ValidationFraction must lie in [0, 1); got {ValidationFraction}.");
        ArgumentNullException.ThrowIfNull(Architecture, nameof(Architecture));
        Architecture.Validate();
    }
}

/// <summary>What one behaviour-cloning fit did.</summary>
public sealed record BcReport
{
    /// <summary>Mean data loss (MSE, Gaussian NLL or cross-entropy, without the entropy term) over each epoch's minibatches; an epoch is one pass over the training rows, the last one possibly cut short by the step budget.</summary>
    public required IReadOnlyList<double> TrainLoss { get; init; }

    /// <summary>Data loss on the held-out rows after each epoch; empty without a validation set.</summary>
    public required IReadOnlyList<double> ValidationLoss { get; init; }

    /// <summary>Data loss of the final policy on all training rows.</summary>
    public required double FinalTrainLoss { get; init; }

    /// <summary>Data loss of the final policy on the held-out rows; NaN without a validation set.</summary>
    public required double FinalValidationLoss { get; init; }

    /// <summary>Rows trained on.</summary>
    public required int TrainCount { get; init; }

    /// <summary>Rows held out.</summary>
    public required int ValidationCount { get; init; }

    /// <summary>Gradient steps taken.</summary>
    public required int Steps { get; init; }
}

/// <summary>
/// Behaviour cloning: fit a policy to the expert's actions on the expert's states by minibatch
/// Adam. It looks perfect on data like its training set and says nothing about the states its own
/// small errors lead to; that gap is what DAgger closes.
/// </summary>
/// <remarks>
/// Continuous expert actions are mapped into the policy's [−1, 1] range with its
/// <see cref="ContinuousPolicy.Scaler"/> before the loss, so every action dimension weighs the same
/// whatever its units. A fresh policy fits its observation normalisation to the training rows; a
/// warm start keeps the one it has, because changing it would silently change what its weights mean.
/// Continuous fits take optional per-row loss weights w (cost-weighted imitation such as
/// <see cref="AggreVaTe"/>): the MSE becomes <c>mean_i( w_i · mean_j (π(s_i)_j − a*_ij)² )</c> and the
/// Gaussian NLL <c>mean_i( −w_i · log π(a*_i | s_i) )</c>, so weights of 1 give the unweighted loss, a
/// weight of 0 drops its row, and the train and validation losses reported are weighted the same way.
/// Logged per epoch (step = gradient steps so far): <c>bc/train_loss</c>, <c>bc/validation_loss</c>
/// (with a validation set), <c>bc/entropy</c> (when the loss has a distribution).
/// </remarks>
public static class BehaviourCloning
{
    private const int EvaluationChunk = 4_096;                     // rows per no-grad forward pass when scoring a whole set

    /// <summary>Clones continuous actions into a fresh policy.</summary>
    /// <param name="demos">Expert transitions: observations [N, obsDim], actions [N, actDim] in env units.</param>
    /// <param name="observationSpace">What the policy reads.</param>
    /// <param name="actionSpace">What it emits; bounds define the normalisation.</param>
    /// <param name="options">Budget, loss and architecture.</param>
    /// <param name="rng">Initial weights, the validation split and minibatch order.</param>
    /// <param name="log">Receives the per-epoch losses.</param>
    /// <param name="weights">
    /// One loss weight per row of <paramref name="demos"/> (finite, ≥ 0, not all 0), or null for equal
    /// weights: row i's share of the loss is multiplied by w_i (see the class remarks). The weights
    /// follow their rows into the validation split, so every reported loss is weighted alike.
    /// </param>
    /// <exception cref="ArgumentException">The weights do not match the rows, or one is negative or not finite, or all are 0.</exception>
    public static (ContinuousPolicy Policy, BcReport Report) TrainContinuous(Transitions demos, Box observationSpace, Box actionSpace,
        BcOptions options, Rng rng, ITrainingLog log, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(observationSpace);
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentNullException.ThrowIfNull(rng);
        var policy = new ContinuousPolicy(observationSpace, actionSpace, options.Architecture, rng);
        return (policy, Fit(new ContinuousObjective(policy, options), demos, weights, fitNormalization: true, options, rng, log));
    }

    /// <summary>Continues training a copy of <paramref name="start"/> (warm start); <paramref name="start"/> itself is unchanged.</summary>
    /// <inheritdoc cref="TrainContinuous(Transitions, Box, Box, BcOptions, Rng, ITrainingLog, float[])"/>
    /// <param name="demos">Expert transitions in <paramref name="start"/>'s observation and action spaces.</param>
    /// <param name="start">The policy to continue from; its architecture and observation normalisation are kept.</param>
    /// <param name="options">Budget and loss (<see cref="BcOptions.Architecture"/> is ignored).</param>
    /// <param name="rng">The validation split and minibatch order.</param>
    /// <param name="log">Receives the per-epoch losses.</param>
    /// <param name="weights">One loss weight per row of <paramref name="demos"/>, or null for equal weights.</param>
    public static (ContinuousPolicy Policy, BcReport Report) TrainContinuous(Transitions demos, ContinuousPolicy start,
        BcOptions options, Rng rng, ITrainingLog log, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(start);
        var policy = new ContinuousPolicy(start.ObservationSpace, start.ActionSpace, start.Architecture, new Rng(0));   // weights overwritten next
        policy.LoadStateDict(start.StateDict());
        return (policy, Fit(new ContinuousObjective(policy, options), demos, weights, fitNormalization: false, options, rng, log));
    }

    /// <summary>Clones discrete actions into a fresh policy by cross-entropy.</summary>
    /// <param name="demos">Expert transitions: observations [N, obsDim], actions [N] (values in the action space, so <see cref="Discrete.Start"/> counts).</param>
    /// <param name="observationSpace">What the policy reads.</param>
    /// <param name="actionSpace">What it emits.</param>
    /// <param name="options">Budget and architecture.</param>
    /// <param name="rng">Initial weights, the validation split and minibatch order.</param>
    /// <param name="log">Receives the per-epoch losses.</param>
    public static (DiscretePolicy Policy, BcReport Report) TrainDiscrete(Transitions demos, Box observationSpace, Discrete actionSpace,
        BcOptions options, Rng rng, ITrainingLog log)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(observationSpace);
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentNullException.ThrowIfNull(rng);
        var policy = new DiscretePolicy(observationSpace, actionSpace, options.Architecture, rng);
        return (policy, Fit(new DiscreteObjective(policy), demos, weights: null, fitNormalization: true, options, rng, log));
    }

    /// <summary>Continues training a copy of <paramref name="start"/> (warm start); <paramref name="start"/> itself is unchanged.</summary>
    /// <inheritdoc cref="TrainDiscrete(Transitions, Box, Discrete, BcOptions, Rng, ITrainingLog)"/>
    /// <param name="demos">Expert transitions in <paramref name="start"/>'s spaces.</param>
    /// <param name="start">The policy to continue from; its architecture and observation normalisation are kept.</param>
    /// <param name="options">Budget (<see cref="BcOptions.Architecture"/> is ignored).</param>
    /// <param name="rng">The validation split and minibatch order.</param>
    /// <param name="log">Receives the per-epoch losses.</param>
    public static (DiscretePolicy Policy, BcReport Report) TrainDiscrete(Transitions demos, DiscretePolicy start,
        BcOptions options, Rng rng, ITrainingLog log)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(start);
        var policy = new DiscretePolicy(start.ObservationSpace, start.ActionSpace, start.Architecture, new Rng(0));
        policy.LoadStateDict(start.StateDict());
        return (policy, Fit(new DiscreteObjective(policy), demos, weights: null, fitNormalization: false, options, rng, log));
    }

    /// <summary>
    /// The fit for either action kind, chosen by <paramref name="actionSpace"/> (<see cref="Box"/> or
    /// <see cref="Discrete"/>): what the interactive trainers call, so they need no per-kind code.
    /// </summary>
    public static (MlpPolicy Policy, BcReport Report) Train<TAction>(Transitions demos, Box observationSpace, Space<TAction> actionSpace,
        MlpPolicy? start, BcOptions options, Rng rng, ITrainingLog log) => (actionSpace, start) switch
        {
            (Box box, null) => TrainContinuous(demos, observationSpace, box, options, rng, log),
            (Box, ContinuousPolicy c) => TrainContinuous(demos, c, options, rng, log),
            (Discrete discrete, null) => TrainDiscrete(demos, observationSpace, discrete, options, rng, log),
            (Discrete, DiscretePolicy d) => TrainDiscrete(demos, d, options, rng, log),
            (Box or Discrete, _) => throw new ArgumentException($"A warm start of type {start!.GetType().Name} does not fit the action space {actionSpace}.", nameof(start)),
            _ => throw new NotSupportedException($"Behaviour cloning handles Box and Discrete action spaces; got {actionSpace?.GetType().Name ?? "null"}."),
        };

    /// <summary>The shared loop: split, normalise, then minibatch Adam for the step budget, scoring after every epoch.</summary>
    private static BcReport Fit(Objective objective, Transitions demos, float[]? weights, bool fitNormalization, BcOptions options, Rng rng, ITrainingLog log)
    {
        ArgumentNullException.ThrowIfNull(demos);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(log);
        objective.Check(demos);
        CheckWeights(weights, demos.Count);
        var (train, trainWeights, validation, validationWeights) = Split(demos, weights, options.ValidationFraction, rng);
        var policy = objective.Policy;
        if (fitNormalization) policy.FitNormalization(train.Observations);
        var optimizer = new Adam(policy.NamedParameters(), options.LearningRate, weightDecay: options.L2Weight);
        float entropyWeight = (float)options.EntropyWeight;
        // Batches smaller than BatchSize get the same step size on a noisier gradient; drop the
        // ragged tail of each permutation unless the data is smaller than one batch.
        bool dropLast = train.Count > options.BatchSize;
        var trainLosses = new List<double>();
        var validationLosses = new List<double>();
        var arena = new TensorArena(reuseTensorObjects: true);               // nothing computed is kept past a step but Item() values
        int step = 0;
        while (step < options.Steps)
        {
            double lossSum = 0, entropySum = 0;
            int rows = 0;
            foreach (var batchRows in train.MinibatchRows(options.BatchSize, rng, dropLast))
            {
                using var arenaStep = arena.Step();                  // this step's intermediate tensors are recycled by the next
                var batch = train.Batch(batchRows);
                var (data, entropy) = objective.Loss(batch, RowWeights(trainWeights, batchRows));
                var loss = entropyWeight > 0 ? data - entropyWeight * entropy! : data;
                policy.ZeroGrad();
                loss.Backward();
                optimizer.Step();
                lossSum += data.Item() * batch.Count;
                if (entropy is not null) entropySum += entropy.Item() * batch.Count;
                rows += batch.Count;
                if (++step == options.Steps) break;
            }
            trainLosses.Add(lossSum / rows);
            log.Scalar("bc/train_loss", lossSum / rows, step);
            if (objective.HasDistribution) log.Scalar("bc/entropy", entropySum / rows, step);
            if (validation is not null)
            {
                validationLosses.Add(Evaluate(objective, validation, validationWeights));
                log.Scalar("bc/validation_loss", validationLosses[^1], step);
            }
            log.Progress("bc", step, options.Steps);
        }
        return new BcReport
        {
            TrainLoss = trainLosses,
            ValidationLoss = validationLosses,
            FinalTrainLoss = Evaluate(objective, train, trainWeights),
            FinalValidationLoss = validation is null ? double.NaN : validationLosses[^1],
            TrainCount = train.Count,
            ValidationCount = validation?.Count ?? 0,
            Steps = step,
        };
    }

    /// <summary>Holds out whole episodes (or rows, when there is only one episode) for validation; the weights follow their rows.</summary>
    private static (Transitions Train, float[]? TrainWeights, Transitions? Validation, float[]? ValidationWeights) Split(
        Transitions data, float[]? weights, double fraction, Rng rng)
    {
        if (fraction == 0) return (data, weights, null, null);
        var (kept, held) = HoldOut.SplitRows(data, fraction, rng, rowsIfOneEpisode: true);
        return (data.Subset(kept), Gather(weights, kept), data.Subset(held), Gather(weights, held));
    }

    private static float[]? Gather(float[]? weights, int[] rows)
    {
        if (weights is null) return null;
        var result = new float[rows.Length];
        Transitions.GatherRows<float>(weights, 1, rows, result);
        return result;
    }

    /// <summary>The weights of one batch's rows as a [B] tensor, or null when every row weighs the same.</summary>
    private static Tensor? RowWeights(float[]? weights, ReadOnlySpan<int> rows)
    {
        if (weights is null) return null;
        var result = Tensor.Zeros(rows.Length);
        Transitions.GatherRows<float>(weights, 1, rows, result.AsSpan());
        return result;
    }

    private static void CheckWeights(float[]? weights, int rows)
    {
        if (weights is null) return;
        if (weights.Length != rows)
            throw new ArgumentException($"Expected one weight per transition ({rows}); got {weights.Length}.", nameof(weights));
        bool any = false;
        for (int i = 0; i < weights.Length; i++)
        {
            if (!(weights[i] >= 0) || !float.IsFinite(weights[i]))
                throw new ArgumentException($"Weights must be finite and ≥ 0; weight {i} is {weights[i]}.", nameof(weights));
            any |= weights[i] > 0;
        }
        if (!any) throw new ArgumentException($"All {rows} weights are 0: there is nothing to fit.", nameof(weights));
    }

    /// <summary>Mean (weighted) data loss over every row of <paramref name="data"/>, in fixed-order chunks without a graph.</summary>
    private static double Evaluate(Objective objective, Transitions data, float[]? weights)
    {
        var rows = new int[Math.Min(EvaluationChunk, data.Count)];
        double sum = 0;
        using (Tensor.NoGrad())
            for (int start = 0; start < data.Count; start += EvaluationChunk)
            {
                int size = Math.Min(EvaluationChunk, data.Count - start);
                for (int i = 0; i < size; i++) rows[i] = start + i;
                var chunk = rows.AsSpan(0, size);
                sum += objective.Loss(data.Batch(chunk), RowWeights(weights, chunk)).Data.Item() * size;
            }
        return sum / data.Count;
    }

    /// <summary>The per-kind part of the fit: which policy, which loss, which targets are legal.</summary>
    private abstract class Objective
    {
        public abstract MlpPolicy Policy { get; }

        /// <summary>Whether <see cref="Loss"/> returns an entropy.</summary>
        public abstract bool HasDistribution { get; }

        /// <summary>Throws if the data cannot train this policy.</summary>
        public virtual void Check(Transitions data)
        {
            if (data.Count == 0) throw new ArgumentException("Behaviour cloning needs at least one transition; got none.", nameof(data));
            if (data.ObservationSize != Policy.ObservationDimension)
                throw new ArgumentException($"Demonstrations have {data.ObservationSize} observation values per row; the policy reads {Policy.ObservationDimension}.", nameof(data));
        }

        /// <summary>
        /// The data loss (mean over the batch, each row's loss times its weight when <paramref name="weights"/>
        /// [B] is given) and, for distributions, the mean (unweighted) entropy.
        /// </summary>
        public abstract (Tensor Data, Tensor? Entropy) Loss(TransitionBatch batch, Tensor? weights);

        /// <summary>mean_i(−log p_i), or mean_i(−w_i·log p_i) with weights.</summary>
        protected static Tensor NegativeLogLikelihood(Tensor logProb, Tensor? weights) =>
            weights is null ? -logProb.Mean() : -(logProb * weights).Mean();
    }

    private sealed class ContinuousObjective(ContinuousPolicy policy, BcOptions options) : Objective
    {
        private readonly ContinuousLoss _loss = CheckLoss(policy, options);

        public override MlpPolicy Policy => policy;

        public override bool HasDistribution => _loss == ContinuousLoss.GaussianNll;

        public override void Check(Transitions data)
        {
            base.Check(data);
            if (data.ActionKind != ActionKind.Continuous || data.ActionSize != policy.ActionDimension)
                throw new ArgumentException($"Expected continuous actions of {policy.ActionDimension} values; the demonstrations have " +
                    $"{data.ActionKind.ToString().ToLowerInvariant()} actions of {data.ActionSize}.", nameof(data));
        }

        public override (Tensor Data, Tensor? Entropy) Loss(TransitionBatch batch, Tensor? weights)
        {
            // The batch owns its action tensor, so it is normalised in place: no second copy.
            var target = batch.Actions.Reshape(batch.Count, policy.ActionDimension);
            var t = target.AsSpan();
            int d = policy.ActionDimension;
            for (int row = 0; row < batch.Count; row++)
            {
                var a = t.Slice(row * d, d);
                policy.Scaler.Normalize(a, a);
            }
            if (_loss == ContinuousLoss.Mse) return (Mse(policy.PredictNormalized(batch.Observations), target, weights), null);
            var distribution = policy.Distribution(batch.Observations);
            return (NegativeLogLikelihood(distribution.LogProb(target), weights), distribution.Entropy().Mean());
        }

        // Unweighted: the plain MSE over every element. Weighted: mean_i(w_i · mean_j error²), so weights of 1 give the same loss.
        private static Tensor Mse(Tensor prediction, Tensor target, Tensor? weights)
        {
            if (weights is null) return TensorLoss.Mse(prediction, target);
            var error = prediction - target;
            return ((error * error).Mean(1) * weights).Mean();
        }

        private static ContinuousLoss CheckLoss(ContinuousPolicy policy, BcOptions options)
        {
            if (options.ContinuousLoss == ContinuousLoss.GaussianNll && policy.Architecture.Head != ContinuousHead.Gaussian)
                throw new ArgumentException("ContinuousLoss.GaussianNll needs a policy with a Gaussian head (PolicyArchitecture.Head = ContinuousHead.Gaussian); this one is deterministic.");
            if (options.EntropyWeight > 0 && options.ContinuousLoss != ContinuousLoss.GaussianNll)
                throw new ArgumentException($"EntropyWeight = {options.EntropyWeight} needs a distribution; with MSE nothing would bound the entropy. Use ContinuousLoss.GaussianNll or EntropyWeight = 0.");
            return options.ContinuousLoss;
        }
    }

    private sealed class DiscreteObjective(DiscretePolicy policy) : Objective
    {
        public override MlpPolicy Policy => policy;

        public override bool HasDistribution => true;

        public override void Check(Transitions data)
        {
            base.Check(data);
            if (data.ActionKind != ActionKind.Discrete)
                throw new ArgumentException($"Expected discrete actions; the demonstrations have continuous actions of {data.ActionSize} values.", nameof(data));
            var space = policy.ActionSpace;
            var actions = data.Actions.Span;
            for (int i = 0; i < actions.Length; i++)
                if (!space.Contains((int)actions[i]))
                    throw new ArgumentException($"Action {i} is {actions[i]}; the action space {space} holds {space.Start} … {space.Start + space.N - 1}.", nameof(data));
        }

        public override (Tensor Data, Tensor? Entropy) Loss(TransitionBatch batch, Tensor? weights)
        {
            var targets = batch.DiscreteActions();
            int start = policy.ActionSpace.Start;
            if (start != 0) for (int i = 0; i < targets.Length; i++) targets[i] -= start;
            var distribution = policy.Distribution(batch.Observations);
            return (NegativeLogLikelihood(distribution.LogProb(targets), weights), distribution.Entropy().Mean());
        }
    }
}
