namespace Apprentice.Tensors.Autograd;

/// <summary>
/// A backward rule: from the gradient <paramref name="dy"/> of <paramref name="node"/>'s output,
/// writes one gradient per input into <paramref name="dx"/> (which the sweep hands over cleared;
/// a slot left null means that input takes none, e.g. an index or a mask). Each gradient has
/// either its input's shape or the output's broadcast shape: the sweep un-broadcasts.
/// </summary>
/// <remarks>
/// Rules are <c>static</c> lambdas that read what they need from the node (its inputs, its output,
/// the constants below) instead of capturing it, so recording an op allocates no closure: the
/// compiler caches a static lambda once. Rules are written with tensor ops, so under
/// <c>createGraph</c> they are differentiable again.
/// </remarks>
internal delegate void BackwardRule(Node node, Tensor dy, Span<Tensor?> dx);

/// <summary>
/// One recorded op: its inputs, its output, its backward rule and the few constants the rule needs
/// (an axis, an exponent, a constant mask, …). Mutable so that an arena reusing tensor objects can
/// reuse the node of a recycled tensor too (see <see cref="TensorArena"/>).
/// </summary>
internal sealed class Node
{
    private static readonly Tensor[] s_none = [];

    /// <summary>The op's name, for messages and <see cref="Tensor.ToString"/>.</summary>
    public string Op { get; private set; } = "";

    /// <summary>The op's tensor inputs, in the order the rule's <c>dx</c> slots follow.</summary>
    public Tensor[] Inputs { get; private set; } = s_none;

    /// <summary>The tensor this node made (the rules of exp, tanh, … reuse it).</summary>
    public Tensor Output { get; private set; } = null!;

    /// <summary>The rule that maps the output's gradient to the inputs'.</summary>
    public BackwardRule Backward { get; private set; } = null!;

    /// <summary>A constant tensor the rule needs (a mask or a factor); never differentiated.</summary>
    public Tensor? Saved;

    /// <summary>A constant of the op: an exponent, a slope, a bound.</summary>
    public float Value, Value2;

    /// <summary>Integer constants of the op: an axis and a start offset, or a stride and a padding.</summary>
    public int Axis, Start;

    /// <summary>Transpose flags of a product.</summary>
    public bool TransposeA, TransposeB;

    /// <summary>Indices (index ops) or a permutation (permute), owned by the op or its caller and never modified.</summary>
    public int[]? Indices;

    /// <summary>Window geometry of the convolution ops.</summary>
    public Window Window;

    /// <summary>Sets the node for a new op, reusing the inputs array when it has the right length.</summary>
    public void Reset(string op, Tensor output, int inputCount, BackwardRule backward)
    {
        Op = op;
        Output = output;
        Backward = backward;
        if (Inputs.Length != inputCount) Inputs = new Tensor[inputCount];
        Saved = null;
        Indices = null;
        (Value, Value2, Axis, Start, TransposeA, TransposeB, Window) = (0f, 0f, 0, 0, false, false, default);
    }
}
