namespace Apprentice.Tensors.Losses;

/// <summary>Loss functions, composed from primitive ops (so they have no backward rules of their own) except cross-entropy, one fused op. Each returns the mean over elements.</summary>
public static class Loss
{
    /// <summary>Mean squared error.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target)
    {
        CheckSameShape(prediction, target, nameof(Mse));
        var d = prediction - target;
        return (d * d).Mean();
    }

    /// <summary>Cross-entropy from logits [N, C] and class indices (length N), averaged over N.</summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets)
    {
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropy needs logits [N, C]; got {logits.ShapeText}.", nameof(logits));
        if (targets.Length != logits.Dim(0))
            throw new ArgumentException($"CrossEntropy: {targets.Length} targets for {logits.Dim(0)} rows of logits.", nameof(targets));
        return logits.SoftmaxCrossEntropy(targets);                               // one fused op: log-sum-exp minus the target logit
    }

    /// <summary>Binary cross-entropy from logits and targets in [0, 1]: softplus(x) − x·y, stable for any logit.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
    {
        CheckSameShape(logits, targets, nameof(BinaryCrossEntropyWithLogits));
        return (logits.Softplus() - logits * targets).Mean();
    }

    /// <summary>Huber loss: ½d² for |d| &lt; δ, δ(|d| − ½δ) beyond (PyTorch's HuberLoss).</summary>
    public static Tensor Huber(Tensor prediction, Tensor target, float delta = 1f)
    {
        if (delta <= 0) throw new ArgumentOutOfRangeException(nameof(delta), $"Huber needs δ > 0; got {delta}.");
        CheckSameShape(prediction, target, nameof(Huber));
        var d = prediction - target;
        var abs = d.Abs();
        Tensor small;
        using (Tensor.NoGrad()) small = abs.Lt(delta);
        return Tensor.Where(small, 0.5f * d * d, delta * (abs - 0.5f * delta)).Mean();
    }

    private static void CheckSameShape(Tensor a, Tensor b, string loss)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"{loss}: prediction has shape {a.ShapeText} but target has {b.ShapeText}; they must match (no silent broadcasting in losses).");
    }
}
