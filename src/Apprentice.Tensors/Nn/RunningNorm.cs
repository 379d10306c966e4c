namespace Apprentice.Tensors.Nn;

/// <summary>
/// Standardises each feature by a running mean and variance of the inputs seen in training mode:
/// y = (x − mean) / √(var + ε). Used in front of networks whose inputs have very different scales
/// (a discriminator reading CartPole's velocities next to its angle), as imitation's <c>RunningNorm</c>.
/// </summary>
/// <remarks>
/// A forward that trains — training mode and gradients recorded — first folds the batch into the
/// statistics (the parallel update of Chan et al., in double precision, population variance), then
/// normalises with them; in evaluation mode or under <see cref="Tensor.NoGrad"/> (scoring, acting)
/// the statistics stay put. The statistics are buffers (<c>running_mean</c>, <c>running_var</c>,
/// <c>count</c>), so they are saved and loaded with the weights. Gradients flow to the input (a
/// gradient penalty needs them), never to the statistics.
/// </remarks>
public sealed class RunningNorm : Module
{
    private readonly Tensor _mean, _variance, _count;

    /// <summary>Creates the layer with no data yet (mean 0, variance 1).</summary>
    /// <param name="features">Extent of the last axis of the inputs.</param>
    /// <param name="eps">Added to the variance before the square root, so a constant feature does not divide by zero.</param>
    public RunningNorm(int features, float eps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (!(eps > 0) || !float.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be finite and positive.");
        (Features, Eps) = (features, eps);
        _mean = RegisterBuffer("running_mean", Tensor.Zeros(features));
        _variance = RegisterBuffer("running_var", Tensor.Ones(features));
        _count = RegisterBuffer("count", Tensor.Zeros(1));
    }

    /// <summary>Extent of the normalised (last) axis.</summary>
    public int Features { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <summary>Rows folded into the statistics so far.</summary>
    public double Count => _count.Span[0];

    /// <summary>The running mean per feature.</summary>
    public ReadOnlySpan<float> Mean => _mean.Span;

    /// <summary>The running (population) variance per feature.</summary>
    public ReadOnlySpan<float> Variance => _variance.Span;

    /// <summary>Input [N, features] → output of the same shape; a training forward updates the statistics first.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Dim(1) != Features)
            throw new ArgumentException($"RunningNorm expects input [N, {Features}]; got {input.ShapeText}.", nameof(input));
        if (Training && Autograd.GradMode.IsEnabled && input.Dim(0) > 0) Update(input.Span, input.Dim(0));
        var invStd = new float[Features];
        var variance = _variance.Span;
        for (int j = 0; j < Features; j++) invStd[j] = (float)(1 / Math.Sqrt(variance[j] + (double)Eps));
        return (input - _mean.Detach()) * Tensor.FromArray(invStd, Features);
    }

    /// <summary>Folds rows [n, features] into the running statistics.</summary>
    private void Update(ReadOnlySpan<float> rows, int n)
    {
        var mean = _mean.AsSpan();
        var variance = _variance.AsSpan();
        double count = _count.Span[0], total = count + n;
        for (int j = 0; j < Features; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += rows[i * Features + j];
            double batchMean = sum / n, squares = 0;
            for (int i = 0; i < n; i++)
            {
                double d = rows[i * Features + j] - batchMean;
                squares += d * d;
            }
            double delta = batchMean - mean[j];
            double m2 = variance[j] * count + squares + delta * delta * count * n / total;
            mean[j] = (float)(mean[j] + delta * n / total);
            variance[j] = (float)(m2 / total);
        }
        _count.AsSpan()[0] = (float)total;
    }
}
