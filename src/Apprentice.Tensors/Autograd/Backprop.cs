using Apprentice.Tensors.Autograd;

namespace Apprentice.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Reverse-mode differentiation from this scalar: adds d(this)/d(leaf) into the
    /// <see cref="Grad"/> of every leaf that requires gradients.
    /// </summary>
    /// <param name="createGraph">Record the backward ops too, so the gradients can be differentiated
    /// again (gradient penalties, Hessian-vector products).</param>
    public void Backward(bool createGraph = false)
    {
        if (Rank != 0 && Size != 1)
            throw new InvalidOperationException($"Backward() starts from a scalar loss; this tensor has shape {ShapeText}. Reduce it first, e.g. loss.Mean().");
        if (!RequiresGrad)
            throw new InvalidOperationException("Backward() on a tensor that does not require gradients: no parameter with RequiresGrad = true took part in computing it (or it was computed under NoGrad).");
        var seed = Output(_shape, zeroed: false);
        seed.AsSpan().Fill(1f);
        Sweep(this, seed, createGraph, wanted: null, accumulateLeaves: true);
    }

    /// <summary>
    /// Gradients of <paramref name="output"/> with respect to <paramref name="inputs"/>, returned
    /// rather than accumulated (PyTorch's <c>torch.autograd.grad</c>). Inputs that do not affect the
    /// output get zeros.
    /// </summary>
    /// <param name="output">What to differentiate; a scalar unless <paramref name="gradOutput"/> is given.</param>
    /// <param name="inputs">Tensors that require gradients (leaves or intermediate results).</param>
    /// <param name="createGraph">Make the returned gradients differentiable (needed for a gradient penalty).</param>
    /// <param name="gradOutput">The vector in a vector-Jacobian product; ones for a scalar output.</param>
    public static Tensor[] Gradients(Tensor output, IReadOnlyList<Tensor> inputs, bool createGraph = false, Tensor? gradOutput = null)
    {
        if (gradOutput is null && output.Size != 1)
            throw new ArgumentException($"Gradients of a non-scalar output (shape {output.ShapeText}) need a gradOutput of the same shape.", nameof(gradOutput));
        if (gradOutput is not null && !ShapeUtil.SameShape(gradOutput.Shape, output.Shape))
            throw new ArgumentException($"gradOutput has shape {gradOutput.ShapeText}; the output has {output.ShapeText}.", nameof(gradOutput));
        foreach (var x in inputs)
            if (!x.RequiresGrad)
                throw new ArgumentException($"Input of shape {x.ShapeText} does not require gradients; set RequiresGrad = true before computing the output.", nameof(inputs));
        var wanted = new Dictionary<Tensor, Tensor?>(ReferenceEqualityComparer.Instance);
        foreach (var x in inputs) wanted[x] = null;
        if (output.RequiresGrad)
            Sweep(output, gradOutput ?? OnesLike(output), createGraph, wanted, accumulateLeaves: false);
        var result = new Tensor[inputs.Count];
        for (int i = 0; i < result.Length; i++) result[i] = wanted[inputs[i]] ?? ZerosLike(inputs[i]);
        return result;
    }

    private static void Sweep(Tensor root, Tensor seed, bool createGraph, Dictionary<Tensor, Tensor?>? wanted, bool accumulateLeaves)
    {
        using var scope = createGraph ? GradMode.Nothing() : GradMode.Disable();   // gradient ops join the graph only on request
        // Inside an arena step the sweep's bookkeeping is the arena's, cleared and reused each time.
        var scratch = TensorArena.Current?.TakeSweepScratch() ?? new SweepScratch();
        try
        {
            Sweep(root, seed, createGraph, wanted, accumulateLeaves, scratch);
        }
        finally
        {
            scratch.Clear();
            TensorArena.Current?.ReturnSweepScratch(scratch);
        }
    }

    private static void Sweep(Tensor root, Tensor seed, bool createGraph, Dictionary<Tensor, Tensor?>? wanted, bool accumulateLeaves, SweepScratch scratch)
    {
        var pending = scratch.Pending;
        pending[root] = seed;
        foreach (var t in ReverseTopologicalOrder(root, scratch))               // consumers before producers
        {
            if (!pending.Remove(t, out var dy)) continue;
            if (wanted is not null && wanted.ContainsKey(t)) wanted[t] = dy;
            if (t.Node is null)
            {
                if (accumulateLeaves) t.AccumulateGrad(dy, createGraph);
                continue;
            }
            var node = t.Node;
            var inputs = node.Inputs;
            var grads = scratch.Gradients(inputs.Length);
            node.Backward(node, dy, grads);
            for (int i = 0; i < inputs.Length; i++)
            {
                var x = inputs[i];
                var g = grads[i];
                grads[i] = null;                                                         // the next node gets the slots cleared
                if (g is null || !x.RequiresGrad) continue;
                var dx = g.SumToShape(x._shape);                                      // undo broadcasting: here and only here
                pending[x] = pending.TryGetValue(x, out var acc) ? acc + dx : dx;     // x may feed several ops
            }
        }
    }

    /// <summary>Tensors reachable from <paramref name="root"/> through recorded ops, each after all its consumers.</summary>
    private static List<Tensor> ReverseTopologicalOrder(Tensor root, SweepScratch scratch)
    {
        var order = scratch.Order;
        var visited = scratch.Visited;
        var stack = scratch.Stack;                                                   // explicit stack: deep graphs must not overflow
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node?.Inputs;
            if (inputs is not null && next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var x = inputs[next];
                if (x.RequiresGrad && visited.Add(x)) stack.Push((x, 0));
                continue;
            }
            order.Add(t);                                                            // post-order: inputs first
        }
        order.Reverse();
        return order;
    }
}

/// <summary>The collections one backward sweep works with; an arena keeps one to reuse across steps.</summary>
internal sealed class SweepScratch
{
    public Dictionary<Tensor, Tensor> Pending { get; } = new(ReferenceEqualityComparer.Instance);
    public List<Tensor> Order { get; } = [];
    public HashSet<Tensor> Visited { get; } = new(ReferenceEqualityComparer.Instance);
    public Stack<(Tensor Tensor, int NextInput)> Stack { get; } = new();
    private Tensor?[] _gradients = new Tensor?[3];

    /// <summary>Cleared slots for one node's input gradients (the sweep clears each slot as it takes it).</summary>
    public Span<Tensor?> Gradients(int count)
    {
        if (_gradients.Length < count) _gradients = new Tensor?[count];
        return _gradients.AsSpan(0, count);
    }

    /// <summary>Drops every reference, so no tensor is kept alive past its sweep.</summary>
    public void Clear()
    {
        Pending.Clear();
        Order.Clear();
        Visited.Clear();
        Stack.Clear();
        Array.Clear(_gradients);
    }
}
