using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apprentice.Benchmarks.Workloads;

/// <summary>
/// How fast one core reads a buffer that stays in its caches: a sum over every float with four
/// vector accumulators, nothing else. A single-observation forward pass must read every weight
/// once, so this is the floor under it (the cheetah MLP's 71,424 weights and biases are 279 KB:
/// more than L1, inside L2).
/// </summary>
internal sealed class CacheRead
{
    private readonly float[] _buffer;

    /// <param name="kilobytes">Buffer size in KB (multiple of 1).</param>
    public CacheRead(int kilobytes)
    {
        Kilobytes = kilobytes;
        _buffer = new float[kilobytes * 256];
        for (int i = 0; i < _buffer.Length; i++) _buffer[i] = i * 1e-7f;
    }

    /// <summary>Sizes on offer: L1-sized, the cheetah MLP's weights, and L2-sized.</summary>
    public static readonly int[] Sizes = [16, 279, 768];

    /// <summary>Buffer size in KB.</summary>
    public int Kilobytes { get; }

    /// <summary>Bytes read per pass.</summary>
    public long Bytes => _buffer.Length * 4L;

    /// <summary>One pass over the buffer; the result depends on every element.</summary>
    public float Run()
    {
        ref float start = ref MemoryMarshal.GetArrayDataReference(_buffer);
        int width = Vector256<float>.Count, n = _buffer.Length, i = 0;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (; i + 4 * width <= n; i += 4 * width)
        {
            a0 += Vector256.LoadUnsafe(ref start, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref start, (nuint)(i + width));
            a2 += Vector256.LoadUnsafe(ref start, (nuint)(i + 2 * width));
            a3 += Vector256.LoadUnsafe(ref start, (nuint)(i + 3 * width));
        }
        float sum = Vector256.Sum(a0 + a1 + a2 + a3);
        for (; i < n; i++) sum += _buffer[i];
        return sum;
    }
}
