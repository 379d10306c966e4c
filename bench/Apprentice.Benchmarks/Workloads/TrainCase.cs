using Apprentice.Tensors;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Optim;

namespace Apprentice.Benchmarks.Workloads;

/// <summary>
/// One behaviour-cloning training case as the PyTorch reference runs it: a model, Adam (lr 1e-3)
/// and a pool of pre-built synthetic minibatches that the steps cycle through, so no step pays for
/// data generation. The micro-benchmarks, the end-to-end runner and the breakdown all use this one
/// class, so they measure the same work.
/// </summary>
internal sealed class TrainCase
{
    private readonly Tensor[] _inputs;
    private readonly Func<Tensor, int, Tensor> _loss;
    private int _next;

    /// <param name="name">Case name, identical to the reference script's.</param>
    /// <param name="model">The network; its parameters are handed to Adam.</param>
    /// <param name="batch">Rows per minibatch.</param>
    /// <param name="inputs">The minibatch pool, <see cref="Catalog.Pool"/> entries.</param>
    /// <param name="loss">Loss of a prediction against the targets of pool entry i.</param>
    public TrainCase(string name, Module model, int batch, Tensor[] inputs, Func<Tensor, int, Tensor> loss)
    {
        Name = name;
        Model = model;
        Batch = batch;
        _inputs = inputs;
        _loss = loss;
        Optimizer = new Adam(model.Parameters(), learningRate: 1e-3);
    }

    public string Name { get; }
    public Module Model { get; }
    public int Batch { get; }

    /// <summary>FLOPs of one forward pass (2 per multiply-add), counted as the reference does.</summary>
    public long ForwardFlops => Catalog.ForwardFlops(Name);
    public Adam Optimizer { get; }

    /// <summary>Recycles each step's intermediate tensors, objects included, for the next one (what a trainer does): a warm step allocates nothing.</summary>
    public TensorArena Arena { get; } = new(reuseTensorObjects: true);

    /// <summary>Forward + backward ≈ 3 forward passes, the reference's approximation.</summary>
    public long TrainFlops => 3 * ForwardFlops;

    /// <summary>One full step: zero the gradients, forward, loss, backward, Adam update; intermediate storage reused from the previous step.</summary>
    public void Step()
    {
        using var step = Arena.Step();
        Optimizer.ZeroGrad();
        var loss = ForwardLoss(NextBatch());
        loss.Backward();
        Optimizer.Step();
    }

    /// <summary>Advances to the next pool entry (as the reference does before each step) and returns its index.</summary>
    public int NextBatch() => _next = (_next + 1) % _inputs.Length;

    /// <summary>Forward pass and loss on pool entry <paramref name="index"/>, recording the graph.</summary>
    public Tensor ForwardLoss(int index) => _loss(Model.Forward(_inputs[index]), index);

    /// <summary>Pool entry <paramref name="index"/>'s input batch.</summary>
    public Tensor Input(int index) => _inputs[index];
}
