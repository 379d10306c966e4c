using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Kernels;

namespace Apprentice.Tensors;

// Softmax cross-entropy as one op: composed from max, exp, sum, log, gather and mean it recorded
// nine ops and as many passes over the logits, which dominated small classification steps.
public sealed partial class Tensor
{
    /// <summary>
    /// Mean over rows of −log softmax(this)[i, targets[i]] for logits [N, C]: each row's
    /// log-sum-exp (shifted by the row's maximum) minus its target logit. The gradient,
    /// (softmax − one-hot)·dy/N, comes from the probabilities the forward pass keeps.
    /// The backward pass reads <paramref name="targets"/> again: leave the array unchanged until then.
    /// </summary>
    internal Tensor SoftmaxCrossEntropy(int[] targets)
    {
        int rows = _shape[0], classes = _shape[1];
        for (int i = 0; i < rows; i++)
            if ((uint)targets[i] >= (uint)classes) throw new IndexOutOfRangeException($"Class index {targets[i]} at row {i} is out of range [0, {classes}).");
        var loss = Output([], zeroed: false);
        var probabilities = Output(_shape, zeroed: false);                    // softmax, for the backward rule
        var x = Span;
        var p = probabilities.AsSpan();
        // Shift each row by its maximum, exponentiate the whole batch in one vectorised pass (a call
        // per row of a few classes would cost more than its work), then normalise each row by its sum;
        // the loss is Σ (max + log sum − target logit) / N.
        var maxima = Output([rows], zeroed: false).AsSpan();
        for (int i = 0; i < rows; i++)
        {
            int at = i * classes;
            float max = x[at];
            for (int j = 1; j < classes; j++)
                if (x[at + j] > max || float.IsNaN(x[at + j])) max = x[at + j];
            maxima[i] = max;
            for (int j = 0; j < classes; j++) p[at + j] = x[at + j] - max;
        }
        ExpKernel.Apply(p, p);
        var logSums = Output([rows], zeroed: false).AsSpan();
        for (int i = 0; i < rows; i++)
        {
            int at = i * classes;
            float sum = 0f;
            for (int j = 0; j < classes; j++) sum += p[at + j];
            float inverse = 1f / sum;
            for (int j = 0; j < classes; j++) p[at + j] *= inverse;
            logSums[i] = sum;
        }
        LogKernel.Apply(logSums, logSums);                                   // the batch's logarithms in one vectorised pass too
        double total = 0;
        for (int i = 0; i < rows; i++) total += maxima[i] + logSums[i] - x[i * classes + targets[i]];
        loss._data[loss._offset] = (float)(total / rows);
        if (Record(loss, "softmax_cross_entropy", this, static (n, dy, dx) =>
        {
            var logits = n.Inputs[0];
            int rows = logits._shape[0], classes = logits._shape[1];
            if (GradMode.IsEnabled)
            {
                // Differentiable again (a gradient penalty through a classifier): the same rule in ops.
                var oneHot = Ones(rows).ScatterRows(n.Indices!, classes);
                dx[0] = (logits.Softmax(1) - oneHot) * (dy / rows);
                return;
            }
            var g = Output(logits._shape, zeroed: false);
            var d = g.AsSpan();
            var prob = n.Saved!.Span;
            float scale = dy.Item() / rows;
            for (int k = 0; k < d.Length; k++) d[k] = prob[k] * scale;
            var targets = n.Indices!;
            for (int i = 0; i < rows; i++) d[i * classes + targets[i]] -= scale;
            dx[0] = g;
        }) is { } node)
            (node.Saved, node.Indices) = (probabilities, targets);
        return loss;
    }
}
