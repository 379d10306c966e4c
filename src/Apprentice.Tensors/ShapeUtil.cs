namespace Apprentice.Tensors;

/// <summary>Shape arithmetic shared by ops: sizes, strides, broadcasting, axis normalisation.</summary>
internal static class ShapeUtil
{
    public static int Size(ReadOnlySpan<int> shape)
    {
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.");
            size *= d;
            if (size > Array.MaxLength) throw new ArgumentException($"Shape {Format(shape)} has more elements than an array can hold.");
        }
        return (int)size;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    public static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }

    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        Strides(shape, strides);
        return strides;
    }

    /// <summary>Row-major strides of <paramref name="shape"/>, written into <paramref name="strides"/> (same length).</summary>
    public static void Strides(ReadOnlySpan<int> shape, Span<int> strides)
    {
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
    }

    public static int FlatIndex(ReadOnlySpan<int> shape, ReadOnlySpan<int> index)
    {
        if (index.Length != shape.Length)
            throw new ArgumentException($"Expected {shape.Length} indices for shape {Format(shape)}; got {index.Length}.");
        int flat = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} is out of range for axis {i} of shape {Format(shape)}.");
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /// <summary>NumPy broadcasting: align trailing axes; each pair must be equal or contain a 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var result = new int[Math.Max(a.Length, b.Length)];
        Broadcast(a, b, result);
        return result;
    }

    /// <summary>As <see cref="Broadcast(ReadOnlySpan{int}, ReadOnlySpan{int})"/>, written into <paramref name="result"/> (the larger rank long) and returned.</summary>
    public static Span<int> Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int rank = Math.Max(a.Length, b.Length);
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {Format(a)} and {Format(b)} cannot be broadcast together (axis {i}: {da} vs {db}).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides of <paramref name="shape"/> viewed as <paramref name="target"/> (0 on broadcast axes).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var result = new int[target.Length];
        BroadcastStrides(shape, target, result);
        return result;
    }

    /// <summary>As <see cref="BroadcastStrides(ReadOnlySpan{int}, ReadOnlySpan{int})"/>, written into <paramref name="result"/> (target's length, zeroed).</summary>
    public static void BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target, Span<int> result)
    {
        Span<int> own = stackalloc int[shape.Length];
        Strides(shape, own);
        int offset = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            result[i + offset] = shape[i] == 1 && target[i + offset] != 1 ? 0 : own[i];
    }

    /// <summary>Replaces one −1 in <paramref name="shape"/> by whatever makes the size <paramref name="size"/>.</summary>
    /// <returns><paramref name="result"/> (as long as <paramref name="shape"/>), holding the resolved shape.</returns>
    public static Span<int> ResolveReshape(ReadOnlySpan<int> from, int size, ReadOnlySpan<int> shape, Span<int> result)
    {
        int inferred = -1, known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0) throw new ArgumentException($"Reshape {Format(shape)} has more than one −1.");
                inferred = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"Reshape {Format(shape)} has a negative dimension.");
            else known *= shape[i];
        }
        shape.CopyTo(result);
        if (inferred >= 0)
        {
            if (known == 0 || size % known != 0)
                throw new ArgumentException($"Cannot reshape {Format(from)} ({size} values) to {Format(shape)}.");
            result[inferred] = size / known;
        }
        if (Size(result) != size)
            throw new ArgumentException($"Cannot reshape {Format(from)} ({size} values) to {Format(shape)} ({Size(result)} values).");
        return result;
    }
}
