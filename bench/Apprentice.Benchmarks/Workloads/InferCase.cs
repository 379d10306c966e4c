using Apprentice.Tensors;
using Apprentice.Tensors.Nn;

namespace Apprentice.Benchmarks.Workloads;

/// <summary>
/// Single-observation policy inference, as a rollout worker does it: either the bare no-grad
/// forward pass on a prepared tensor, or the whole step from a <c>float[]</c> observation to the
/// action (the analogue of the reference's numpy → tensor → forward → numpy round trip). Both run
/// through the model's <see cref="InferencePlan"/>, the path policies act through
/// (<c>MlpPolicy.ForwardOne</c>): bit-identical to <see cref="Module.Forward"/>, allocation-free.
/// </summary>
internal sealed class InferCase
{
    private readonly Tensor _prepared;
    private readonly float[] _observation;
    private readonly InferencePlan _plan;
    private float _sink;

    /// <param name="name">Case name, identical to the reference script's.</param>
    /// <param name="model">The policy network; switched to evaluation mode, as the reference does.</param>
    /// <param name="observationSize">Length of one observation.</param>
    /// <param name="discrete">Whether the action is the arg-max of the outputs (CartPole) or the outputs themselves.</param>
    /// <param name="observation">A fixed observation of length <paramref name="observationSize"/>.</param>
    public InferCase(string name, Module model, int observationSize, bool discrete, float[] observation)
    {
        Name = name;
        Model = model;
        model.Eval();
        ObservationSize = observationSize;
        Discrete = discrete;
        _observation = observation;
        _prepared = Tensor.FromArray(observation, 1, observationSize);
        _plan = InferencePlan.Create(model, observationSize);
    }

    public string Name { get; }
    public Module Model { get; }
    public int ObservationSize { get; }
    public bool Discrete { get; }

    /// <summary>The variants, named as in the JSON output, each with its call.</summary>
    public IReadOnlyList<(string Variant, Action Call)> Variants =>
    [
        ("forward_no_grad", () => Forward()),
        ("rollout_step", () => RolloutStep()),
    ];

    /// <summary>
    /// Single rows run so far and how many of them were shared between two cores (the plan times
    /// both kinds now and then and makes the faster); (0, 0) when the plan never shares.
    /// </summary>
    public (long Rows, long Shared) RowCounts =>
        _plan.SharedRow is { } row ? (row.Choice.Calls, row.Choice.SharedCalls) : (0, 0);

    /// <summary>No-grad forward pass of the prepared [1, obs] tensor; returns the first output so nothing is dead code.</summary>
    public float Forward() => _plan.Run(_prepared.Span)[0];

    /// <summary>float[] observation → no-grad forward → action (arg-max index, or a float[] of outputs, as a policy returns it).</summary>
    public float RolloutStep()
    {
        var output = _plan.Run(_observation);
        if (Discrete) return _sink = Tensor.ArgMax(output);
        float[] action = output.ToArray();
        return _sink = action[0];
    }
}
