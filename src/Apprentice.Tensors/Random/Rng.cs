using System.Numerics;

namespace Apprentice.Tensors.Random;

/// <summary>
/// The one random generator of Apprentice: PCG64 seeded through numpy's SeedSequence, so that
/// <c>new Rng(seed)</c> produces exactly the stream of <c>numpy.random.default_rng(seed)</c>
/// (raw 64-bit words, <see cref="NextDouble"/>, <see cref="Uniform(double, double)"/> and
/// <see cref="Integers(long, long)"/>). Gymnasium seeds its environments with that generator, so
/// the same seed gives the same reset states here and there.
/// </summary>
/// <remarks>
/// Pass one <see cref="Rng"/> explicitly to whatever needs randomness: there is no hidden global
/// generator. An instance is not thread-safe; give each thread its own (see <see cref="Spawn"/>).
/// </remarks>
public sealed class Rng
{
    // PCG64's 128-bit LCG multiplier (pcg64.h: PCG_DEFAULT_MULTIPLIER_128).
    private static readonly UInt128 Multiplier = new(0x2360ED051FC65DA4UL, 0x4385DF649FCCF645UL);

    private UInt128 _state;
    private UInt128 _increment;
    // numpy's PCG64 hands out 32-bit draws in pairs from one 64-bit word (low half first).
    private bool _hasHalf;
    private uint _half;
    // Marsaglia's polar method yields normals in pairs; the second waits here.
    private bool _hasNormal;
    private double _normal;

    /// <summary>Seeds like <c>numpy.random.default_rng(seed)</c>.</summary>
    /// <param name="seed">Any non-negative integer; numpy rejects negative seeds and so do we.</param>
    public Rng(long seed) : this(SeedSequence.FromSeed(seed)) { }

    /// <summary>Seeds from an explicit <see cref="SeedSequence"/> (e.g. a spawned child).</summary>
    public Rng(SeedSequence seedSequence)
    {
        ArgumentNullException.ThrowIfNull(seedSequence);
        SeedSequence = seedSequence;
        Span<ulong> words = stackalloc ulong[4];
        seedSequence.GenerateState(words);
        // _pcg64.pyx: seed = (val[0] << 64) | val[1], inc = (val[2] << 64) | val[3]; then pcg_setseq_128_srandom_r.
        var initState = new UInt128(words[0], words[1]);
        var initSequence = new UInt128(words[2], words[3]);
        _state = UInt128.Zero;
        _increment = (initSequence << 1) | UInt128.One;
        Step();
        _state += initState;
        Step();
    }

    private Rng(Rng other)
    {
        SeedSequence = other.SeedSequence;
        (_state, _increment, _hasHalf, _half, _hasNormal, _normal) =
            (other._state, other._increment, other._hasHalf, other._half, other._hasNormal, other._normal);
    }

    /// <summary>The seed sequence this generator started from; <see cref="Spawn"/> derives children from it.</summary>
    public SeedSequence SeedSequence { get; }

    /// <summary>An independent copy in the same state: both produce the same stream from here.</summary>
    public Rng Clone() => new(this);

    /// <summary>
    /// <paramref name="count"/> statistically independent generators, as numpy's <c>Generator.spawn</c>:
    /// children of this generator's seed sequence. Use one per worker thread or per vector-env copy.
    /// </summary>
    public Rng[] Spawn(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var children = SeedSequence.Spawn(count);
        var result = new Rng[count];
        for (int i = 0; i < count; i++) result[i] = new Rng(children[i]);
        return result;
    }

    /// <summary>
    /// Where the stream stands: PCG64's state and increment, and the 32-bit half and the normal the
    /// generator holds back. Save it with a checkpoint; <see cref="SetState"/> continues from it.
    /// </summary>
    public RngState GetState() => new((ulong)(_state >> 64), (ulong)_state, (ulong)(_increment >> 64), (ulong)_increment, _hasHalf, _half, _hasNormal, _normal);

    /// <summary>
    /// Continues the stream from <paramref name="state"/> (from <see cref="GetState"/>): the next draws are
    /// those the saved generator would have made. <see cref="SeedSequence"/> (and so <see cref="Spawn"/>)
    /// stays this generator's own.
    /// </summary>
    /// <exception cref="ArgumentException">The increment is even (PCG64's is always odd: the state is not one <see cref="GetState"/> returns).</exception>
    public void SetState(RngState state)
    {
        if ((state.IncrementLow & 1) == 0)
            throw new ArgumentException($"Not a PCG64 state: the increment must be odd; got low word 0x{state.IncrementLow:X16}.", nameof(state));
        _state = new UInt128(state.StateHigh, state.StateLow);
        _increment = new UInt128(state.IncrementHigh, state.IncrementLow);
        (_hasHalf, _half, _hasNormal, _normal) = (state.HasHalf, state.Half, state.HasNormal, state.Normal);
    }

    /// <summary>The next raw 64-bit output (numpy's <c>bit_generator.random_raw()</c>).</summary>
    public ulong NextUInt64()
    {
        Step();
        // XSL-RR output: fold the 128-bit state to 64 bits and rotate by its top 6 bits.
        ulong high = (ulong)(_state >> 64), low = (ulong)_state;
        return BitOperations.RotateRight(high ^ low, (int)(high >> 58));
    }

    /// <summary>The next 32-bit output, buffered as numpy's PCG64 does: low half of a word, then its high half.</summary>
    public uint NextUInt32()
    {
        if (_hasHalf)
        {
            _hasHalf = false;
            return _half;
        }
        ulong next = NextUInt64();
        _hasHalf = true;
        _half = (uint)(next >> 32);
        return (uint)next;
    }

    /// <summary>A double in [0, 1), as numpy's <c>random()</c>: the top 53 bits of a word times 2⁻⁵³.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>A float in [0, 1): the top 24 bits of a 32-bit draw times 2⁻²⁴ (numpy's <c>random(dtype=float32)</c>).</summary>
    public float NextSingle() => (NextUInt32() >> 8) * (1.0f / 16777216.0f);

    /// <summary>A double in [low, high), as numpy's <c>uniform(low, high)</c>: <c>low + (high − low)·random()</c>.</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Fills <paramref name="destination"/> as numpy's <c>uniform(low, high, size)</c> would.</summary>
    public void Uniform(double low, double high, Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Uniform(low, high);
    }

    /// <summary>
    /// An integer in [low, high), as numpy's <c>integers(low, high)</c> (int64, endpoint excluded),
    /// including its use of Lemire's rejection method, so the stream matches numpy's draw for draw.
    /// </summary>
    public long Integers(long low, long high)
    {
        if (high <= low)
            throw new ArgumentOutOfRangeException(nameof(high), $"Integers(low, high) needs low < high; got low = {low}, high = {high}.");
        ulong range = (ulong)(high - low) - 1;          // numpy's "rng": inclusive span minus one
        if (range == 0) return low;
        if (range <= uint.MaxValue)
        {
            if (range == uint.MaxValue) return low + NextUInt32();
            return low + BoundedLemire32((uint)range);
        }
        if (range == ulong.MaxValue) return low + (long)NextUInt64();
        return low + (long)BoundedLemire64(range);
    }

    /// <summary>An index in [0, n): shorthand for <c>Integers(0, n)</c>.</summary>
    public int NextInt(int n) => (int)Integers(0, n);

    /// <summary>
    /// A standard normal sample (Marsaglia's polar method). Correct in distribution, but not
    /// numpy's ziggurat stream: only the uniform and integer draws are numpy-compatible.
    /// </summary>
    public double Normal()
    {
        if (_hasNormal)
        {
            _hasNormal = false;
            return _normal;
        }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _normal = v * factor;
        _hasNormal = true;
        return u * factor;
    }

    /// <summary>A normal sample with the given mean and standard deviation.</summary>
    public double Normal(double mean, double standardDeviation) => mean + standardDeviation * Normal();

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the back, as numpy's <c>shuffle</c>).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)Integers(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n−1.</summary>
    public int[] Permutation(int n)
    {
        var result = new int[n];
        for (int i = 0; i < n; i++) result[i] = i;
        Shuffle<int>(result);
        return result;
    }

    private void Step() => _state = unchecked(_state * Multiplier + _increment);

    // distributions.c: buffered_bounded_lemire_uint32 (the buffer argument is unused there; the
    // 32-bit draws come from the generator's own half-word buffer).
    private uint BoundedLemire32(uint range)
    {
        uint exclusive = range + 1;
        ulong m = (ulong)NextUInt32() * exclusive;
        uint leftover = (uint)m;
        if (leftover < exclusive)
        {
            uint threshold = (uint.MaxValue - range) % exclusive;
            while (leftover < threshold)
            {
                m = (ulong)NextUInt32() * exclusive;
                leftover = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }

    // distributions.c: bounded_lemire_uint64.
    private ulong BoundedLemire64(ulong range)
    {
        ulong exclusive = range + 1;
        UInt128 m = (UInt128)NextUInt64() * exclusive;
        ulong leftover = (ulong)m;
        if (leftover < exclusive)
        {
            ulong threshold = (ulong.MaxValue - range) % exclusive;
            while (leftover < threshold)
            {
                m = (UInt128)NextUInt64() * exclusive;
                leftover = (ulong)m;
            }
        }
        return (ulong)(m >> 64);
    }
}

/// <summary>A saved position in an <see cref="Rng"/>'s stream (see <see cref="Rng.GetState"/>); plain values, so it serialises as JSON.</summary>
/// <param name="StateHigh">High 64 bits of PCG64's 128-bit state.</param>
/// <param name="StateLow">Low 64 bits of the state.</param>
/// <param name="IncrementHigh">High 64 bits of the stream's (odd) increment.</param>
/// <param name="IncrementLow">Low 64 bits of the increment.</param>
/// <param name="HasHalf">Whether a 32-bit half of the last 64-bit word is waiting.</param>
/// <param name="Half">That half.</param>
/// <param name="HasNormal">Whether the second normal of the last pair is waiting.</param>
/// <param name="Normal">That normal.</param>
public readonly record struct RngState(ulong StateHigh, ulong StateLow, ulong IncrementHigh, ulong IncrementLow, bool HasHalf, uint Half, bool HasNormal, double Normal);
