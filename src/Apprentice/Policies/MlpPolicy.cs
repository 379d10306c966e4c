using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Apprentice.Tensors;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;

namespace Apprentice.Policies;

/// <summary>
/// What continuous and discrete MLP policies share: an MLP on normalised observations, with the
/// normalisation kept as buffers (<c>obs_mean</c>, <c>obs_std</c>) so that it is saved and loaded
/// with the weights and can never be forgotten at deployment.
/// </summary>
public abstract class MlpPolicy : Module
{
    private readonly Tensor _observationMean;
    private readonly Tensor _observationStd;
    private readonly Tensor _input;                   // [1, obsDim] scratch for single-observation acting
    private float[] _normalized;                      // [rows, obsDim] scratch: normalised observations
    private readonly InferencePlan? _plan;            // allocation-free acting; null when the network has a layer it cannot run

    /// <summary>Builds the network <c>obsDim → hidden… → outputDim</c>.</summary>
    protected MlpPolicy(int observationDimension, int outputDimension, PolicyArchitecture architecture, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationDimension);
        ObservationDimension = observationDimension;
        Architecture = architecture;
        Network = RegisterModule("net", Mlp.Create([observationDimension, .. architecture.HiddenSizes, outputDimension], architecture.ActivationFactory(), rng));
        _observationMean = RegisterBuffer("obs_mean", Tensor.Zeros(observationDimension));
        _observationStd = RegisterBuffer("obs_std", Tensor.Ones(observationDimension));
        _input = Tensor.Zeros(1, observationDimension);
        _normalized = new float[observationDimension];
        _plan = InferencePlan.TryCreate(Network, observationDimension, out var plan, out _) ? plan : null;
    }

    /// <summary>Length of the flat observations this policy reads.</summary>
    public int ObservationDimension { get; }

    /// <summary>The layer sizes and head; recorded in the saved manifest.</summary>
    public PolicyArchitecture Architecture { get; }

    /// <summary>The MLP itself, on normalised observations.</summary>
    public Sequential Network { get; }

    /// <summary>Per-feature mean subtracted from observations before the network.</summary>
    public ReadOnlySpan<float> ObservationMean => _observationMean.Span;

    /// <summary>Per-feature scale observations are divided by.</summary>
    public ReadOnlySpan<float> ObservationStd => _observationStd.Span;

    /// <summary>
    /// Fixes the observation normalisation from data (for instance the demonstrations a BC run
    /// trains on): mean and standard deviation per feature; features that never vary keep scale 1.
    /// </summary>
    /// <param name="observations">[N, obsDim].</param>
    public void FitNormalization(Tensor observations)
    {
        if (observations.Rank != 2 || observations.Dim(1) != ObservationDimension)
            throw new ArgumentException($"Expected observations [N, {ObservationDimension}]; got {observations.ShapeText}.", nameof(observations));
        int n = observations.Dim(0), d = ObservationDimension;
        if (n == 0) throw new ArgumentException("Cannot fit a normalisation to zero observations.", nameof(observations));
        var x = observations.Span;
        var mean = _observationMean.AsSpan();
        var std = _observationStd.AsSpan();
        for (int j = 0; j < d; j++)
        {
            double sum = 0, sumSquares = 0;
            for (int i = 0; i < n; i++) sum += x[i * d + j];
            double m = sum / n;
            for (int i = 0; i < n; i++) sumSquares += (x[i * d + j] - m) * (x[i * d + j] - m);
            double s = Math.Sqrt(sumSquares / n);
            mean[j] = (float)m;
            std[j] = s > 1e-6 ? (float)s : 1f;     // a constant feature carries no information; don't blow it up
        }
    }

    /// <summary>Sets the normalisation explicitly (e.g. from an observation-normalisation wrapper's statistics).</summary>
    public void SetNormalization(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length != ObservationDimension || std.Length != ObservationDimension)
            throw new ArgumentException($"Expected {ObservationDimension} means and scales; got {mean.Length} and {std.Length}.");
        for (int i = 0; i < std.Length; i++)
            if (!(std[i] > 0)) throw new ArgumentException($"Observation scale {i} must be positive; got {std[i]}.", nameof(std));
        mean.CopyTo(_observationMean.AsSpan());
        std.CopyTo(_observationStd.AsSpan());
    }

    /// <summary>The network's raw output for a batch: [B, obsDim] → [B, outputDim] (differentiable).</summary>
    public override Tensor Forward(Tensor observations)
    {
        if (observations.Rank != 2 || observations.Dim(1) != ObservationDimension)
            throw new ArgumentException($"Expected observations [B, {ObservationDimension}]; got {observations.ShapeText}.", nameof(observations));
        return Network.Forward((observations - _observationMean) / _observationStd);
    }

    /// <summary>
    /// Raw network output for one observation, without recording a graph: bit-identical to
    /// <see cref="Forward"/> on a [1, obsDim] batch, but through the network's
    /// <see cref="InferencePlan"/>, so it allocates nothing. The span is valid until the next call;
    /// like the scratch it lives in, one policy instance acts on one thread at a time.
    /// </summary>
    protected ReadOnlySpan<float> ForwardOne(ReadOnlySpan<float> observation)
    {
        if (observation.Length != ObservationDimension)
            throw new ArgumentException($"Expected an observation of length {ObservationDimension}; got {observation.Length}.", nameof(observation));
        if (_plan is null)
        {
            observation.CopyTo(_input.AsSpan());
            using (Tensor.NoGrad()) return Forward(_input).Span;
        }
        Normalize(observation, _normalized.AsSpan(0, ObservationDimension));
        return _plan.Run(_normalized.AsSpan(0, ObservationDimension));
    }

    /// <summary>
    /// Raw network outputs for a batch of observations (rows of the output size), without recording
    /// a graph: bit-identical to <see cref="Forward"/> on the stacked batch, through the
    /// <see cref="InferencePlan"/> into reused buffers. Valid until the next call.
    /// </summary>
    protected ReadOnlySpan<float> ForwardBatch(ReadOnlySpan<float[]> observations)
    {
        if (_plan is null || observations.IsEmpty)
        {
            using (Tensor.NoGrad()) return Forward(Batch(observations)).Span;
        }
        int d = ObservationDimension;
        if (_normalized.Length < observations.Length * d) _normalized = new float[observations.Length * d];
        for (int i = 0; i < observations.Length; i++)
        {
            if (observations[i].Length != d)
                throw new ArgumentException($"Observation {i} has length {observations[i].Length}; expected {d}.", nameof(observations));
            Normalize(observations[i], _normalized.AsSpan(i * d, d));
        }
        return _plan.Run(_normalized.AsSpan(0, observations.Length * d));
    }

    // (x − mean) / std with the kernels the tensor ops use, row by row as they broadcast, so the
    // values match Forward's bit for bit.
    private void Normalize(ReadOnlySpan<float> observation, Span<float> destination)
    {
        TensorPrimitives.Subtract(observation, _observationMean.Span, destination);
        TensorPrimitives.Divide(destination, _observationStd.Span, destination);
    }

    /// <summary>Stacks observations into a [B, obsDim] tensor.</summary>
    protected Tensor Batch(ReadOnlySpan<float[]> observations)
    {
        var batch = Tensor.Zeros(observations.Length, ObservationDimension);
        var s = batch.AsSpan();
        for (int i = 0; i < observations.Length; i++)
        {
            if (observations[i].Length != ObservationDimension)
                throw new ArgumentException($"Observation {i} has length {observations[i].Length}; expected {ObservationDimension}.", nameof(observations));
            observations[i].CopyTo(s.Slice(i * ObservationDimension, ObservationDimension));
        }
        return batch;
    }
}
