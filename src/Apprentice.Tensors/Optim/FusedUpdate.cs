using Apprentice.Tensors.Kernels;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apprentice.Tensors.Optim;

// Optimiser updates are one pass over parameter, gradient and state buffers. Each update rule is
// written once, generic over a "lanes" type (one float, a Vector256 or a Vector512), so the SIMD
// body and the scalar tail run the very same sequence of IEEE operations and agree bit for bit.
// No FMA anywhere: neither the JIT nor these wrappers contract a*b+c, so results do not depend on
// which width the machine picks.

/// <summary>A bundle of float lanes with the arithmetic the update rules need.</summary>
internal interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Load(ref float source, nuint offset);
    static abstract void Store(TSelf value, ref float destination, nuint offset);
    static abstract TSelf Splat(float value);
    static abstract TSelf Sqrt(TSelf x);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
}

/// <summary>One float: the scalar tail (and the whole loop where SIMD is unavailable).</summary>
internal readonly struct Lane1(float value) : ILanes<Lane1>
{
    private readonly float _v = value;
    public static int Count => 1;
    public static Lane1 Load(ref float source, nuint offset) => new(Unsafe.Add(ref source, offset));
    public static void Store(Lane1 value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value._v;
    public static Lane1 Splat(float value) => new(value);
    public static Lane1 Sqrt(Lane1 x) => new(MathF.Sqrt(x._v));
    public static Lane1 operator +(Lane1 a, Lane1 b) => new(a._v + b._v);
    public static Lane1 operator -(Lane1 a, Lane1 b) => new(a._v - b._v);
    public static Lane1 operator *(Lane1 a, Lane1 b) => new(a._v * b._v);
    public static Lane1 operator /(Lane1 a, Lane1 b) => new(a._v / b._v);
}

/// <summary>Eight floats (AVX).</summary>
internal readonly struct Lanes256(Vector256<float> value) : ILanes<Lanes256>
{
    private readonly Vector256<float> _v = value;
    public static int Count => Vector256<float>.Count;
    public static Lanes256 Load(ref float source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));
    public static void Store(Lanes256 value, ref float destination, nuint offset) => value._v.StoreUnsafe(ref destination, offset);
    public static Lanes256 Splat(float value) => new(Vector256.Create(value));
    public static Lanes256 Sqrt(Lanes256 x) => new(Vector256.Sqrt(x._v));
    public static Lanes256 operator +(Lanes256 a, Lanes256 b) => new(a._v + b._v);
    public static Lanes256 operator -(Lanes256 a, Lanes256 b) => new(a._v - b._v);
    public static Lanes256 operator *(Lanes256 a, Lanes256 b) => new(a._v * b._v);
    public static Lanes256 operator /(Lanes256 a, Lanes256 b) => new(a._v / b._v);
}

/// <summary>Sixteen floats (AVX-512).</summary>
internal readonly struct Lanes512(Vector512<float> value) : ILanes<Lanes512>
{
    private readonly Vector512<float> _v = value;
    public static int Count => Vector512<float>.Count;
    public static Lanes512 Load(ref float source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));
    public static void Store(Lanes512 value, ref float destination, nuint offset) => value._v.StoreUnsafe(ref destination, offset);
    public static Lanes512 Splat(float value) => new(Vector512.Create(value));
    public static Lanes512 Sqrt(Lanes512 x) => new(Vector512.Sqrt(x._v));
    public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a._v + b._v);
    public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a._v - b._v);
    public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a._v * b._v);
    public static Lanes512 operator /(Lanes512 a, Lanes512 b) => new(a._v / b._v);
}

/// <summary>
/// One optimiser's update of a parameter element (or a vector of them) from its gradient and up
/// to two state buffers. Coefficients live in the kernel's fields, computed once per tensor.
/// </summary>
internal interface IUpdateKernel
{
    /// <summary>How many state buffers the rule reads and writes (0, 1 or 2).</summary>
    static abstract int BufferCount { get; }

    void Apply<T>(ref T parameter, T gradient, ref T buffer0, ref T buffer1) where T : struct, ILanes<T>;
}

/// <summary>Runs an update kernel over whole tensors: widest vectors first, then a scalar tail.</summary>
internal static unsafe class FusedUpdate
{
    /// <summary>
    /// Elements from which one parameter's update is shared between two cores. A tensor that large
    /// (the 64×64 hidden layer of a CartPole policy, the 256×256 one of a MuJoCo policy) is in both
    /// cores' caches after its products were split, and each line written must first be taken from
    /// the other core: two cores wait for those in parallel. Element-wise, so which core updates an
    /// element does not change it.
    /// </summary>
    /// <remarks>
    /// Lowered from 2¹⁵ to 2¹² for the CartPole layer: a 4→64→64→2 batch-256 step on two threads
    /// ran 1.5–7.8% faster (median of 20 alternating pairs, in each of seven processes; no change on
    /// one thread), where Adam took 10–15 µs of a ~90 µs step against 3.3 µs on one thread.
    /// </remarks>
    internal const int SplitLength = 1 << 12;

    public static void Run<TKernel>(in TKernel kernel, Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> buffer0, Span<float> buffer1)
        where TKernel : struct, IUpdateKernel
    {
        if (parameter.Length < SplitLength || Gemm.MaxThreads < 2)
        {
            RunRange(kernel, parameter, gradient, buffer0, buffer1);
            return;
        }
        fixed (float* p = parameter, g = gradient, b0 = buffer0, b1 = buffer1)
        {
            var work = SplitRange<TKernel>.ForThisThread;
            work.Kernel = kernel;
            (work.Parameter, work.Gradient, work.Buffer0, work.Buffer1) = ((nint)p, (nint)g, (nint)b0, (nint)b1);
            (work.Length, work.Buffer0Length, work.Buffer1Length) = (parameter.Length, buffer0.Length, buffer1.Length);
            WorkerPool.Run(work, 2);
        }
    }

    /// <summary>Part t of n updates one contiguous range of elements, starting on a multiple of 16.</summary>
    private sealed class SplitRange<TKernel> : IParallelWork where TKernel : struct, IUpdateKernel
    {
        [ThreadStatic] private static SplitRange<TKernel>? t_instance;

        public static SplitRange<TKernel> ForThisThread => t_instance ??= new();

        public TKernel Kernel;
        public nint Parameter, Gradient, Buffer0, Buffer1;            // pinned by the caller until the pool returns
        public int Length, Buffer0Length, Buffer1Length;

        public void Run(int part, int parts)
        {
            int share = (Length / parts + 15) & ~15;
            int start = Math.Min(Length, part * share), end = part == parts - 1 ? Length : Math.Min(Length, start + share);
            int count = end - start;
            RunRange(Kernel, new Span<float>((float*)Parameter + start, count), new ReadOnlySpan<float>((float*)Gradient + start, count),
                Buffer0Length == 0 ? default : new Span<float>((float*)Buffer0 + start, count),
                Buffer1Length == 0 ? default : new Span<float>((float*)Buffer1 + start, count));
        }
    }

    private static void RunRange<TKernel>(in TKernel kernel, Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> buffer0, Span<float> buffer1)
        where TKernel : struct, IUpdateKernel
    {
        Debug.Assert(gradient.Length == parameter.Length);
        Debug.Assert(TKernel.BufferCount < 1 || buffer0.Length == parameter.Length);
        Debug.Assert(TKernel.BufferCount < 2 || buffer1.Length == parameter.Length);
        ref float p = ref MemoryMarshal.GetReference(parameter);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float b0 = ref MemoryMarshal.GetReference(buffer0);
        ref float b1 = ref MemoryMarshal.GetReference(buffer1);
        nuint n = (nuint)parameter.Length, i = 0;
        if (Vector512.IsHardwareAccelerated) i = Loop<TKernel, Lanes512>(kernel, ref p, ref g, ref b0, ref b1, i, n);
        if (Vector256.IsHardwareAccelerated) i = Loop<TKernel, Lanes256>(kernel, ref p, ref g, ref b0, ref b1, i, n);
        Loop<TKernel, Lane1>(kernel, ref p, ref g, ref b0, ref b1, i, n);
    }

    private static nuint Loop<TKernel, T>(in TKernel kernel, ref float p, ref float g, ref float b0, ref float b1, nuint i, nuint n)
        where TKernel : struct, IUpdateKernel
        where T : struct, ILanes<T>
    {
        nuint width = (nuint)T.Count;
        for (; i + width <= n; i += width)
        {
            var pv = T.Load(ref p, i);
            var gv = T.Load(ref g, i);
            var v0 = TKernel.BufferCount > 0 ? T.Load(ref b0, i) : default;   // BufferCount is a JIT-time constant
            var v1 = TKernel.BufferCount > 1 ? T.Load(ref b1, i) : default;
            kernel.Apply(ref pv, gv, ref v0, ref v1);
            T.Store(pv, ref p, i);
            if (TKernel.BufferCount > 0) T.Store(v0, ref b0, i);
            if (TKernel.BufferCount > 1) T.Store(v1, ref b1, i);
        }
        return i;
    }
}
