namespace Apprentice.Tensors.Kernels;

/// <summary>
/// Placing data on 64-byte cache lines: a vector load that straddles two lines costs two, and a
/// line two cores both write passes between their caches on every write.
/// </summary>
internal static unsafe class CacheLine
{
    /// <summary>Bytes in a line.</summary>
    public const int Bytes = 64;

    /// <summary>Floats in a line.</summary>
    public const int Floats = Bytes / sizeof(float);

    /// <summary>The first address at or after <paramref name="p"/> that starts a line.</summary>
    public static float* Align(float* p) => (float*)(((nint)p + (Bytes - 1)) & ~(nint)(Bytes - 1));

    /// <summary>The index of the first element at or after <paramref name="index"/> that starts a line; the array must be pinned.</summary>
    public static int Next(float[] pinned, int index)
    {
        fixed (float* p = &pinned[index])
            return index + (int)(Align(p) - p);
    }
}
