namespace Apprentice.Tensors.Autograd;

/// <summary>
/// Whether ops record a graph on the current thread. On by default; <see cref="Tensor.NoGrad"/>
/// turns it off for a scope. Thread-static on purpose (as in PyTorch): a rollout worker's
/// inference must not switch off recording on the trainer's thread. With the running
/// <see cref="TensorArena"/> step, it is the engine's only static mutable state, and it holds no
/// data, only a depth counter.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int t_disabledDepth;

    /// <summary>True when ops on this thread record the graph.</summary>
    public static bool IsEnabled => t_disabledDepth == 0;

    internal static Scope Disable()
    {
        t_disabledDepth++;
        return new Scope(true);
    }

    internal static Scope Nothing() => new(false);

    /// <summary>Restores recording when disposed. A struct, so entering a scope allocates nothing.</summary>
    public readonly struct Scope(bool active) : IDisposable
    {
        /// <summary>Leaves the no-grad scope.</summary>
        public void Dispose()
        {
            if (active) t_disabledDepth--;
        }
    }
}
