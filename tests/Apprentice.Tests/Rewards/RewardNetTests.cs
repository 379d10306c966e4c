using Apprentice.Rewards;
using Apprentice.Spaces;
using Apprentice.Tensors;
using Apprentice.Tensors.Random;

namespace Apprentice.Tests.Rewards;

public sealed class RewardNetTests
{
    private static (Tensor Observations, Tensor Actions, Tensor Next, Tensor Dones) Inputs(RewardNet net, Rng rng, int n)
    {
        var actions = new float[n];
        for (int i = 0; i < n; i++) actions[i] = 1 + (int)rng.Integers(0, 3);              // Discrete(3, start=1)
        var dones = new float[n];
        dones[n - 1] = 1f;
        return (Tensor.Normal(rng, 0f, 1f, n, 4), net.EncodeActions(actions, n), Tensor.Normal(rng, 0f, 1f, n, 4), Tensor.FromArray(dones, n));
    }

    private static float[] Rewards(RewardNet net, (Tensor Observations, Tensor Actions, Tensor Next, Tensor Dones) x)
    {
        using var scope = Tensor.NoGrad();
        return net.Forward(x.Observations, x.Actions, x.Next, x.Dones).ToArray();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Saved_nets_load_back_with_the_same_architecture_and_outputs(bool shaped, bool spectralNorm)
    {
        var rng = new Rng(0);
        var space = new Discrete(3, start: 1);
        RewardNet net = shaped
            ? new ShapedRewardNet(4, space, rng, gamma: 0.9, RewardInputs.State | RewardInputs.Action, [8, 6], spectralNorm)
            : new BasicRewardNet(4, space, rng, RewardInputs.State | RewardInputs.NextState | RewardInputs.Done, [8], spectralNorm);
        net.Eval();                                                // spectral norm's vectors stay put, so both runs see the same weights
        var x = Inputs(net, rng, 5);
        string path = Path.Combine(Path.GetTempPath(), $"apprentice-reward-{Guid.NewGuid():N}.safetensors");
        try
        {
            net.Save(path);
            var loaded = RewardNets.Load(path);
            loaded.Eval();
            Assert.IsType(net.GetType(), loaded);
            Assert.Equal(Rewards(net, x), Rewards(loaded, x));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Input_statistics_are_saved_and_loaded_with_the_weights(bool shaped)
    {
        var rng = new Rng(7);
        var space = new Discrete(3, start: 1);
        RewardNet net = shaped ? new ShapedRewardNet(4, space, rng) : new BasicRewardNet(4, space, rng);
        var train = Inputs(net, rng, 16);
        net.Forward(train.Observations * 5f + 3f, train.Actions, train.Next * 5f + 3f, train.Dones);   // a training forward moves the statistics
        var x = Inputs(net, rng, 5);
        string path = Path.Combine(Path.GetTempPath(), $"apprentice-reward-{Guid.NewGuid():N}.safetensors");
        try
        {
            net.Save(path);
            var loaded = RewardNets.Load(path);
            Assert.Equal(Rewards(net, x), Rewards(loaded, x));
            var fresh = shaped ? (RewardNet)new ShapedRewardNet(4, space, new Rng(7)) : new BasicRewardNet(4, space, new Rng(7));
            fresh.LoadStateDict(net.StateDict().Where(e => !e.Key.Contains("norm")).ToDictionary(e => e.Key, e => e.Value), strict: false);
            Assert.NotEqual(Rewards(net, x), Rewards(fresh, x));                // the statistics matter
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Nets_without_input_normalisation_load_back_without_it()
    {
        var net = new BasicRewardNet(4, new Discrete(3, start: 1), new Rng(8), normalizeInputs: false);
        string path = Path.Combine(Path.GetTempPath(), $"apprentice-reward-{Guid.NewGuid():N}.safetensors");
        try
        {
            net.Save(path);
            Assert.False(((BasicRewardNet)RewardNets.Load(path)).NormalizesInputs);
            Assert.DoesNotContain(net.StateDict().Keys, k => k.Contains("norm"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void State_rewards_need_a_state_only_net()
    {
        var rng = new Rng(9);
        var stateOnly = new BasicRewardNet(4, new Discrete(3, start: 1), rng, RewardInputs.State);
        var observations = Tensor.Normal(rng, 0f, 1f, 3, 4);
        using (Tensor.NoGrad())
            Assert.Equal(stateOnly.Forward(observations, Tensor.Zeros(3, 3), Tensor.Normal(rng, 0f, 1f, 3, 4), Tensor.Ones(3)).ToArray(), stateOnly.StateRewards(observations));
        var withAction = new BasicRewardNet(4, new Discrete(3, start: 1), rng);
        var e = Assert.Throws<InvalidOperationException>(() => withAction.StateRewards(observations));
        Assert.Contains("not the state alone", e.Message);
    }

    [Fact]
    public void A_net_on_continuous_actions_loads_back_with_its_action_width()
    {
        var rng = new Rng(4);
        var net = new BasicRewardNet(3, new Box([-2f, -2f], [2f, 2f]), rng);
        var observations = Tensor.Normal(rng, 0f, 1f, 4, 3);
        var actions = Tensor.Normal(rng, 0f, 1f, 4, 2);
        string path = Path.Combine(Path.GetTempPath(), $"apprentice-reward-{Guid.NewGuid():N}.safetensors");
        try
        {
            net.Save(path);
            var loaded = RewardNets.Load(path);
            Assert.Equal(2, loaded.ActionFeatures);
            Assert.False(loaded.DiscreteActions);
            var x = (observations, actions, observations, Tensor.Zeros(4));
            Assert.Equal(Rewards(net, x), Rewards(loaded, x));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_shaping_potential_is_zero_after_a_terminal_state()
    {
        var rng = new Rng(1);
        var net = new ShapedRewardNet(4, new Discrete(3, start: 1), rng, gamma: 0.9);
        var x = Inputs(net, rng, 3);
        var notDone = x with { Dones = Tensor.Zeros(3) };
        var done = x with { Dones = Tensor.Ones(3) };
        float[] h;
        using (Tensor.NoGrad()) h = net.Potential(x.Next).ToArray();

        var difference = Rewards(net, notDone).Zip(Rewards(net, done), (a, b) => a - b).ToArray();

        for (int i = 0; i < 3; i++) Assert.Equal(0.9 * h[i], difference[i], 5);   // f(not done) − f(done) = γh(s′)
        Assert.Contains(h, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void Discrete_actions_outside_the_space_are_named()
    {
        var net = new BasicRewardNet(4, new Discrete(3, start: 1), new Rng(0));
        var error = Assert.Throws<ArgumentException>(() => net.EncodeActions([1f, 4f], 2));
        Assert.Contains("Action 4 at row 1", error.Message);
    }

    [Fact]
    public void The_normaliser_tracks_the_mean_and_variance_of_everything_it_has_seen()
    {
        var rng = new Rng(2);
        var first = new float[100];
        var second = new float[37];
        for (int i = 0; i < first.Length; i++) first[i] = (float)(3 + 2 * rng.Normal());
        for (int i = 0; i < second.Length; i++) second[i] = (float)(5 + rng.Normal());
        var normalizer = new RunningRewardNormalizer();

        normalizer.Update(first);
        normalizer.Update(second);

        var all = first.Concat(second).Select(v => (double)v).ToArray();
        double mean = all.Average(), variance = all.Select(v => (v - mean) * (v - mean)).Average();
        Assert.Equal(all.Length, normalizer.Count);
        Assert.Equal(mean, normalizer.Mean, 9);
        Assert.Equal(variance, normalizer.Variance, 9);
        var scaled = (float[])second.Clone();
        normalizer.Normalize(scaled, update: false);
        Assert.Equal((second[0] - mean) / Math.Sqrt(variance + 1e-8), scaled[0], 5);
    }
}
