using System.Text.Json;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests.Random;

public class RngTests
{
    // Vectors printed by numpy 1.24's default_rng(seed); copied from shared/reference.
    private static readonly JsonElement Seeds = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "numpy_rng_vectors.json"))).RootElement.GetProperty("seeds");

    public static TheoryData<long> SeedValues => new() { 0, 1, 42, 123456789 };

    [Theory, MemberData(nameof(SeedValues))]
    public void RawWordsMatchNumpy(long seed)
    {
        var rng = new Rng(seed);
        foreach (var expected in Seeds.GetProperty(seed.ToString()).GetProperty("pcg64_random_raw_uint64_x3").EnumerateArray())
            Assert.Equal(ulong.Parse(expected.GetString()!), rng.NextUInt64());
    }

    [Theory, MemberData(nameof(SeedValues))]
    public void RandomMatchesNumpyBitForBit(long seed)
    {
        var rng = new Rng(seed);
        foreach (var expected in Seeds.GetProperty(seed.ToString()).GetProperty("random_x5").EnumerateArray())
            Assert.Equal(expected.GetDouble(), rng.NextDouble());
    }

    [Theory, MemberData(nameof(SeedValues))]
    public void UniformMatchesNumpyBitForBit(long seed)
    {
        var vectors = Seeds.GetProperty(seed.ToString());
        var rng = new Rng(seed);
        foreach (var expected in vectors.GetProperty("uniform_low-0.05_high0.05_size4").EnumerateArray())
            Assert.Equal(expected.GetDouble(), rng.Uniform(-0.05, 0.05));
        rng = new Rng(seed);
        Assert.Equal(vectors.GetProperty("uniform_low-0.6_high-0.4_size1")[0].GetDouble(), rng.Uniform(-0.6, -0.4));
    }

    [Theory, MemberData(nameof(SeedValues))]
    public void IntegersMatchNumpy(long seed)
    {
        var rng = new Rng(seed);
        foreach (var expected in Seeds.GetProperty(seed.ToString()).GetProperty("integers_low0_high10_size5").EnumerateArray())
            Assert.Equal(expected.GetInt64(), rng.Integers(0, 10));
    }

    [Fact]
    public void IntegersStayInRangeAndCoverIt()
    {
        var rng = new Rng(7);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++)
        {
            long x = rng.Integers(-3, 4);
            Assert.InRange(x, -3, 3);
            seen[x + 3]++;
        }
        Assert.All(seen, count => Assert.InRange(count, 850, 1150));   // each ≈ 1000; 5σ ≈ 150
        long big = rng.Integers(0, long.MaxValue);
        Assert.InRange(big, 0, long.MaxValue - 1);
    }

    [Fact]
    public void NormalHasUnitMomentsAndIsReproducible()
    {
        var rng = new Rng(3);
        const int n = 200_000;
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            double x = rng.Normal();
            sum += x;
            sumSquares += x * x;
        }
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSquares / n, 0.98, 1.02);
        Assert.Equal(new Rng(3).Normal(), new Rng(3).Normal());
    }

    [Fact]
    public void CloneContinuesTheSameStreamAndSpawnedChildrenDiffer()
    {
        var rng = new Rng(5);
        rng.NextUInt32();                       // leave a half-word buffered: the clone must carry it
        var clone = rng.Clone();
        for (int i = 0; i < 10; i++) Assert.Equal(rng.NextUInt32(), clone.NextUInt32());
        var children = new Rng(5).Spawn(2);
        Assert.NotEqual(children[0].NextUInt64(), children[1].NextUInt64());
        Assert.Equal(new Rng(5).Spawn(2)[1].NextUInt64(), new Rng(5).Spawn(2)[1].NextUInt64());
    }

    [Fact]
    public void NegativeSeedsAndEmptyRangesAreRejectedWithTheValues()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Rng(-1));
        Assert.Contains("-1", e.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => new Rng(0).Integers(5, 5));
        Assert.Contains("low = 5, high = 5", r.Message);
    }

    [Fact]
    public void ASavedStateContinuesTheStreamExactlyThroughJson()
    {
        // Mid-stream, with a 32-bit half and a normal held back, so every part of the state matters.
        var rng = new Rng(7);
        rng.NextDouble();
        rng.Normal();
        rng.Integers(0, 10);
        var saved = JsonSerializer.Deserialize<RngState>(JsonSerializer.Serialize(rng.GetState()));
        var expected = new double[6];
        for (int i = 0; i < 2; i++) (expected[3 * i], expected[3 * i + 1], expected[3 * i + 2]) = (rng.Normal(), rng.Integers(0, 1000), rng.NextDouble());
        var restored = new Rng(99);
        restored.SetState(saved);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(expected[3 * i], restored.Normal());
            Assert.Equal(expected[3 * i + 1], restored.Integers(0, 1000));
            Assert.Equal(expected[3 * i + 2], restored.NextDouble());
        }
    }

    [Fact]
    public void AStateWithAnEvenIncrementIsRefused()
    {
        var state = new Rng(1).GetState() with { IncrementLow = 2 };
        var e = Assert.Throws<ArgumentException>(() => new Rng(1).SetState(state));
        Assert.Contains("increment must be odd", e.Message);
    }
}
