using Apprentice.Policies;
using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;

namespace Apprentice.Tests.Policies;

public sealed class PolicyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apprentice-policy-").FullName;
    private static readonly Box Observations = new(-10f, 10f, 3);
    private static readonly Box Actions = new([-1f, 0f], [1f, 4f]);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ContinuousActionsAlwaysLieInsideTheActionSpace()
    {
        var rng = new Rng(0);
        foreach (var head in new[] { ContinuousHead.Deterministic, ContinuousHead.Gaussian })
        {
            var policy = new ContinuousPolicy(Observations, Actions, new PolicyArchitecture { Head = head, InitialLogStd = 1f }, rng);
            for (int i = 0; i < 200; i++)
            {
                var a = policy.Act(Observations.Sample(rng), rng, deterministic: i % 2 == 0);
                Assert.True(Actions.Contains(a), $"{head}: [{string.Join(", ", a)}] outside {Actions}");
            }
        }
    }

    [Fact]
    public void BatchedActingEqualsActingOneByOne()
    {
        var rng = new Rng(1);
        var policy = new ContinuousPolicy(Observations, Actions, new PolicyArchitecture(), rng);
        var obs = Enumerable.Range(0, 5).Select(_ => Observations.Sample(rng)).ToArray();
        var batched = new float[5][];
        policy.Act(obs, batched, rng);
        for (int i = 0; i < 5; i++) Assert.Equal(policy.Act(obs[i], rng), batched[i]);
        var discrete = new DiscretePolicy(Observations, new Discrete(3, start: 1), new PolicyArchitecture(), rng);
        var chosen = new int[5];
        discrete.Act(obs, chosen, rng);
        for (int i = 0; i < 5; i++) Assert.Equal(discrete.Act(obs[i], rng), chosen[i]);
        Assert.All(chosen, c => Assert.InRange(c, 1, 3));
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.GELU)]
    public void ActingOnOneObservationMatchesTheBatchedForwardBitForBit(Activation activation)
    {
        var rng = new Rng(2);
        var architecture = new PolicyArchitecture { Activation = activation, Head = ContinuousHead.Deterministic };
        var policy = new ContinuousPolicy(Observations, Actions, architecture, rng);
        policy.SetNormalization([1f, -2f, 0.5f], [2f, 0.5f, 3f]);
        var discrete = new DiscretePolicy(Observations, new Discrete(4), architecture, rng);
        // Act squashes the network's outputs with MathF.Tanh, then scales them into the action space.
        float[] Expected(Tensor observations, int row)
        {
            Tensor output;
            using (Tensor.NoGrad()) output = policy.Forward(observations);
            var normalized = output.Span.Slice(2 * row, 2).ToArray().Select(MathF.Tanh).ToArray();
            var action = new float[2];
            policy.Scaler.Denormalize(normalized, action);
            return action;
        }
        var obs = Observations.Sample(rng);
        Assert.Equal(Expected(Tensor.FromArray(obs, 1, 3), 0), policy.Act(obs, rng));
        using (Tensor.NoGrad()) Assert.Equal(discrete.Forward(Tensor.FromArray(obs, 1, 3)).ArgMax(1)[0], discrete.Act(obs, rng));
        // A batch: acting on seven observations at once against the tensor forward of the stacked batch.
        var batch = Enumerable.Range(0, 7).Select(_ => Observations.Sample(rng)).ToArray();
        var stacked = Tensor.FromRows(batch);
        var actions = new float[7][];
        policy.Act(batch, actions, rng);
        for (int i = 0; i < 7; i++) Assert.Equal(Expected(stacked, i), actions[i]);
        var chosen = new int[7];
        discrete.Act(batch, chosen, rng);
        using (Tensor.NoGrad()) Assert.Equal(discrete.Forward(stacked).ArgMax(1), chosen);
    }

    [Fact]
    public void DeterministicActingAllocatesNothingAfterWarmUp()
    {
        var rng = new Rng(3);
        var policy = new ContinuousPolicy(Observations, Actions, new PolicyArchitecture(), rng);
        var discrete = new DiscretePolicy(Observations, new Discrete(3), new PolicyArchitecture(), rng);
        var obs = Observations.Sample(rng);
        var action = new float[2];
        int sum = 0;
        // Least of three windows of 100 calls after a warm-up: a per-call allocation shows in every window.
        for (int i = 0; i < 50; i++) { policy.Act(obs, action, rng); sum += discrete.Act(obs, rng); }
        long least = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) { policy.Act(obs, action, rng); sum += discrete.Act(obs, rng); }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
        Assert.InRange(sum, 0, 2 * 350);
    }

    [Fact]
    public void NormalizationIsFittedFromDataAndSavedWithTheWeights()
    {
        var rng = new Rng(2);
        var policy = new ContinuousPolicy(Observations, Actions, new PolicyArchitecture { Head = ContinuousHead.Gaussian }, rng);
        var data = Tensor.FromArray([1f, 5f, 7f, 3f, 5f, 7f], 2, 3);
        policy.FitNormalization(data);
        Assert.Equal([2f, 5f, 7f], policy.ObservationMean.ToArray());
        Assert.Equal([1f, 1f, 1f], policy.ObservationStd.ToArray());   // constant features keep scale 1
        string path = Path.Combine(_dir, "p.safetensors");
        PolicyFile.Save(policy, path, new Dictionary<string, string> { ["env"] = "Test-v0" });
        var loaded = PolicyFile.LoadContinuous(path);
        Assert.Equal(policy.ObservationMean.ToArray(), loaded.ObservationMean.ToArray());
        Assert.Equal(ContinuousHead.Gaussian, loaded.Architecture.Head);
        Assert.Equal(policy.LogStd!.ToArray(), loaded.LogStd!.ToArray());
        var x = Observations.Sample(rng);
        Assert.Equal(policy.Act(x, rng), loaded.Act(x, rng));
        Assert.Throws<InvalidDataException>(() => PolicyFile.LoadDiscrete(path));
    }

    [Fact]
    public void DiscretePolicyRoundTripsAndBadManifestsNameTheField()
    {
        var rng = new Rng(3);
        var policy = new DiscretePolicy(new Box(float.NegativeInfinity, float.PositiveInfinity, 4), new Discrete(2), new PolicyArchitecture { HiddenSizes = [8] }, rng);
        string path = Path.Combine(_dir, "d.safetensors");
        PolicyFile.Save(policy, path);
        var loaded = PolicyFile.LoadDiscrete(path);
        var x = new float[] { 0.1f, -0.2f, 0.3f, 0.4f };
        Assert.Equal(policy.Act(x, rng), loaded.Act(x, rng));
        File.WriteAllText(PolicyFile.ManifestPath(path), File.ReadAllText(PolicyFile.ManifestPath(path)).Replace("\"discrete\"", "\"quantum\""));
        var e = Assert.Throws<InvalidDataException>(() => PolicyFile.Load(path));
        Assert.Contains("'kind'", e.Message);
        Assert.Contains("quantum", e.Message);
        File.Delete(PolicyFile.ManifestPath(path));
        Assert.Contains("manifest not found", Assert.Throws<InvalidDataException>(() => PolicyFile.Load(path)).Message);
    }

    [Fact]
    public void EnsembleDisagreesAwayFromItsTrainingData()
    {
        var rng = new Rng(4);
        var members = Enumerable.Range(0, 5).Select(_ => new ContinuousPolicy(Observations, Actions, new PolicyArchitecture { HiddenSizes = [32, 32] }, rng)).ToList();
        // Train every member on the same narrow slice of inputs (x ∈ [−1, 1]) to the same target.
        var x = Tensor.Uniform(rng, -1f, 1f, 256, 3);
        var target = Tensor.Full(0.3f, 256, 2);
        foreach (var m in members)
        {
            var adam = new Adam(m.Parameters(), learningRate: 3e-3);
            for (int i = 0; i < 300; i++)
            {
                adam.ZeroGrad();
                Loss.Mse(m.PredictNormalized(x), target).Backward();
                adam.Step();
            }
        }
        var ensemble = new EnsemblePolicy(members);
        double inside = ensemble.Disagreement([0.2f, -0.3f, 0.5f]);
        double outside = ensemble.Disagreement([9f, -9f, 9f]);
        Assert.True(inside < 1e-3, $"in-distribution disagreement {inside}");
        Assert.True(outside > 10 * inside, $"out-of-distribution disagreement {outside} vs {inside}");
        var (action, d) = ensemble.ActWithDisagreement([0.2f, -0.3f, 0.5f]);
        Assert.Equal(inside, d);
        Assert.InRange(action[1], 2.5f, 2.7f);   // normalised 0.3 ↦ 0 + 1.3·2 = 2.6 on [0, 4]
    }

    [Fact]
    public void ValueAndQNetworksGiveOneValuePerRow()
    {
        var rng = new Rng(5);
        var v = new ValueNetwork(3, [16], rng);
        var q = new QNetwork(3, 2, [16], rng);
        Assert.Equal([7], v.Forward(Tensor.Zeros(7, 3)).Shape.ToArray());
        Assert.Equal([7], q.Forward(Tensor.Zeros(7, 3), Tensor.Zeros(7, 2)).Shape.ToArray());
    }
}
