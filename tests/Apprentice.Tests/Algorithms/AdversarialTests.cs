using System.Diagnostics;
using Apprentice.Algorithms;
using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Envs.Vector;
using Apprentice.Evaluation;
using Apprentice.Experiments;
using Apprentice.Experts.ClassicControl;
using Apprentice.Policies;
using Apprentice.Rewards;
using Apprentice.Tensors;
using Apprentice.Tensors.Autograd;
using Apprentice.Tensors.Random;
using Xunit.Abstractions;

namespace Apprentice.Tests.Algorithms;

public sealed class AdversarialTests(ITestOutputHelper output)
{
    private const string Seals = "seals/CartPole-v0";

    private static IEnv<float[], int> SealsCartPole(int copy) => EnvRegistry.Default.MakeDiscrete(Seals);

    /// <summary>Uniformly random actions: the baseline a learned policy must beat.</summary>
    private sealed class RandomPolicy : IPolicy<float[], int>
    {
        public int Act(float[] observation, Rng rng, bool deterministic = true) => (int)rng.Integers(0, 2);
    }

    internal static Transitions Demos(string id, IPolicy<float[], int> policy, int episodes, long seed)
    {
        using var env = new VectorEnv<float[], int>(1, _ => EnvRegistry.Default.MakeDiscrete(id));
        return Transitions.FromTrajectories(Rollouts.Collect(env, policy, SampleUntil.Episodes(episodes), new Rng(seed), seed));
    }

    private static double MeanReturn(IPolicy<float[], int> policy, int episodes = 10)
    {
        using var env = EnvRegistry.Default.MakeDiscrete(Seals);
        return Evaluator.Evaluate(env, policy, new EvaluationOptions { Episodes = episodes }, new Rng(123)).ReturnMean;
    }

    /// <summary>Rows of <paramref name="data"/> as a discriminator batch (zero log-probs: GAIL ignores them).</summary>
    private static DiscriminatorBatch Batch(Transitions data, RewardNet net, int[] rows)
    {
        var dones = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++) dones[i] = data.Dones[rows[i]] ? 1f : 0f;
        var actions = data.Actions.IndexSelect(0, rows).Detach();
        return new DiscriminatorBatch(data.Observations.IndexSelect(0, rows).Detach(), net.EncodeActions(actions.Span, rows.Length),
            data.NextObservations.IndexSelect(0, rows).Detach(), Tensor.FromArray(dones, rows.Length), Tensor.Zeros(rows.Length));
    }

    /// <summary>The benchmark's seals/CartPole recipe (SB3 zoo's PPO, the default discriminator) cut to <paramref name="rounds"/> rounds of 2048 steps.</summary>
    private static AdversarialOptions CartPoleOptions(int rounds)
    {
        var recipe = AdversarialBenchmark.Recipe(Seals, AdversarialAlgorithm.Gail);
        return recipe with { Ppo = recipe.Ppo with { TotalSteps = rounds * 2048 } };
    }

    [Fact]
    public void The_discriminator_tells_expert_from_random_transitions()
    {
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 4, seed: 0);
        var random = Demos(Seals, new RandomPolicy(), episodes: 4, seed: 1);
        var options = CartPoleOptions(1) with { Ppo = CartPoleOptions(1).Ppo with { Envs = 1, StepsPerEnv = 64, TotalSteps = 64, Minibatches = 1 } };
        using var gail = new GailTrainer<int>(SealsCartPole, demos, options, new Rng(0), NullTrainingLog.Instance);
        var rng = new Rng(1);
        int[] Rows(int count, int n) { var rows = new int[n]; for (int i = 0; i < n; i++) rows[i] = (int)rng.Integers(0, count); return rows; }
        for (int step = 0; step < 600; step++)
            gail.TrainDiscriminator(Batch(demos, gail.RewardNet, Rows(demos.Count, 128)), Batch(random, gail.RewardNet, Rows(random.Count, 128)));

        // Fresh episodes, never trained on.
        var heldExpert = Demos(Seals, new CartPoleExpert(), episodes: 2, seed: 10);
        var heldRandom = Demos(Seals, new RandomPolicy(), episodes: 2, seed: 11);
        double expertRight = Accuracy(gail.RewardNet, heldExpert, expertIsPositive: true);
        double randomRight = Accuracy(gail.RewardNet, heldRandom, expertIsPositive: false);
        output.WriteLine($"held-out accuracy: expert {expertRight:F3}, random {randomRight:F3}");
        Assert.True((expertRight + randomRight) / 2 > 0.9, $"held-out accuracy: expert {expertRight:F3}, random {randomRight:F3}");
    }

    private static double Accuracy(RewardNet net, Transitions data, bool expertIsPositive)
    {
        var rows = Enumerable.Range(0, data.Count).ToArray();
        var batch = Batch(data, net, rows);
        float[] logits;
        using (Tensor.NoGrad()) logits = net.Forward(batch.Observations, batch.Actions, batch.NextObservations, batch.Dones).ToArray();
        return logits.Count(l => expertIsPositive ? l > 0 : l < 0) / (double)logits.Length;
    }

    [Theory]
    [InlineData(GradientPenaltyTarget.Interpolates)]
    [InlineData(GradientPenaltyTarget.Expert)]
    public void Gradient_penalty_gradients_match_finite_differences(GradientPenaltyTarget target)
    {
        var rng = new Rng(3);
        var net = new BasicRewardNet(3, new Apprentice.Spaces.Box([-1f, -1f], [1f, 1f]), rng, RewardInputs.State | RewardInputs.Action | RewardInputs.NextState, [5]);
        var observations = Tensor.Normal(rng, 0f, 1f, 4, 3);
        var actions = Tensor.Normal(rng, 0f, 1f, 4, 2);
        var next = Tensor.Normal(rng, 0f, 1f, 4, 3);
        var dones = Tensor.Zeros(4);
        var parameters = net.Parameters().ToArray();

        // The penalty's gradient with respect to the weights goes through ∇ₓ r: a second derivative.
        var result = GradCheck.Compare(_ => GradientPenalty.At(net, observations, actions, next, dones, target), parameters);

        Assert.True(result.Passed, result.Worst);
        Assert.True(GradientPenalty.At(net, observations, actions, next, dones, target).Item() > 0);
    }

    [Fact]
    public void Variable_horizon_demonstrations_are_refused_with_the_reason_and_the_ways_out()
    {
        var terminating = Demos("CartPole-v1", new RandomPolicy(), episodes: 3, seed: 0);   // random play drops the pole: terminated episodes

        var error = Assert.Throws<ArgumentException>(() => new GailTrainer<int>(SealsCartPole, terminating, CartPoleOptions(1), new Rng(0), NullTrainingLog.Instance));

        Assert.Contains("survival bonus", error.Message);
        Assert.Contains("FixedHorizon", error.Message);
        Assert.Contains("seals/", error.Message);
        Assert.Contains("AllowVariableHorizon = true", error.Message);
        using var allowed = new GailTrainer<int>(SealsCartPole, terminating, CartPoleOptions(1) with { AllowVariableHorizon = true }, new Rng(0), NullTrainingLog.Instance);
    }

    [Fact]
    public void An_env_that_terminates_is_refused_at_the_first_round_unless_allowed()
    {
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 1, seed: 0);
        IEnv<float[], int> Terminating(int copy) => EnvRegistry.Default.MakeDiscrete("CartPole-v1");
        var options = CartPoleOptions(2);

        using (var gail = new GailTrainer<int>(Terminating, demos, options, new Rng(0), NullTrainingLog.Instance))
        {
            var error = Assert.Throws<InvalidOperationException>(() => gail.Iterate());
            Assert.Contains("terminated an episode", error.Message);
            Assert.Contains("FixedHorizon", error.Message);
        }
        using var allowed = new GailTrainer<int>(Terminating, demos, options with { AllowVariableHorizon = true }, new Rng(0), NullTrainingLog.Instance);
        allowed.Iterate();
        Assert.NotNull(allowed.LastDiscriminatorStats);
    }

    [Fact]
    public void Airl_recovers_a_state_reward_that_ranks_upright_states_above_fallen_ones()
    {
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 10, seed: 0);
        using var airl = new AirlTrainer<int>(SealsCartPole, demos, CartPoleOptions(40), new Rng(0), NullTrainingLog.Instance);
        airl.Train();

        // g(s) alone, read off and saved: seals' true reward is 1 exactly in the "ok" states (pole up, cart on the track).
        string path = Path.Combine(Path.GetTempPath(), $"apprentice-airl-g-{Guid.NewGuid():N}.safetensors");
        RewardNet loaded;
        try
        {
            airl.RecoveredReward.Save(path);
            loaded = RewardNets.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
        var random = Demos(Seals, new RandomPolicy(), episodes: 4, seed: 1);
        var g = airl.RecoveredRewardOf(random.Observations);
        var n = random.Count;
        float[] reloaded;
        using (Tensor.NoGrad()) reloaded = loaded.Forward(random.Observations, Tensor.Zeros(n, 2), random.Observations, Tensor.Zeros(n)).ToArray();
        Assert.Equal(g, reloaded);

        double ok = 0, fallen = 0;
        int okCount = 0;
        var rewards = random.Rewards;
        for (int i = 0; i < n; i++)
            if (rewards[i] > 0) { ok += g[i]; okCount++; }
            else fallen += g[i];
        (ok, fallen) = (ok / okCount, fallen / (n - okCount));
        output.WriteLine($"mean g: ok states {ok:F3} ({okCount}), fallen states {fallen:F3} ({n - okCount})");
        Assert.True(okCount > 20 && okCount < n - 20, $"{okCount} of {n} random-play states are ok; the comparison needs both kinds");
        Assert.True(ok - fallen > 1.0, $"mean g: ok states {ok:F3}, fallen states {fallen:F3}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Airl_gives_ppo_f_or_with_the_option_the_logit_f_minus_log_pi(bool logitReward)
    {
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 1, seed: 0);
        var options = CartPoleOptions(1) with
        {
            Ppo = CartPoleOptions(1).Ppo with { Envs = 2, StepsPerEnv = 64, TotalSteps = 128, Minibatches = 2, Epochs = 1 },
            NormalizeRewards = false, AirlLogitReward = logitReward, DiscriminatorBatchSize = 64,
        };
        using var airl = new AirlTrainer<int>(SealsCartPole, demos, options, new Rng(0), NullTrainingLog.Instance);
        airl.Iterate();

        // The discriminator does not change after the rewards are written, and log π is the one stored at collection.
        var buffer = airl.Ppo.Rollout;
        var batch = airl.GeneratorBatch(buffer, Enumerable.Range(0, buffer.Count).ToArray());
        float[] f;
        using (Tensor.NoGrad()) f = airl.RewardNet.Forward(batch.Observations, batch.Actions, batch.NextObservations, batch.Dones).ToArray();
        var logPi = batch.LogProbs.ToArray();
        var expected = f.Select((v, i) => logitReward ? v - logPi[i] : v).ToArray();
        Assert.Equal(expected, buffer.Rewards.ToArray());
        Assert.Contains(logPi, v => v < -0.01f);                                 // the two choices differ
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Airls_g_reads_the_state_alone_or_with_the_action(bool stateOnly)
    {
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 1, seed: 0);
        using var airl = new AirlTrainer<int>(SealsCartPole, demos, CartPoleOptions(1) with { AirlStateOnlyReward = stateOnly }, new Rng(0), NullTrainingLog.Instance);

        Assert.Equal(stateOnly ? RewardInputs.State : RewardInputs.State | RewardInputs.Action, airl.RecoveredReward.Inputs);
        if (stateOnly) Assert.Equal(3, airl.RecoveredRewardOf(demos.Observations.Slice(0, 0, 3)).Length);
        else Assert.Throws<InvalidOperationException>(() => airl.RecoveredRewardOf(demos.Observations));
    }

    [Fact]
    public void The_same_seed_gives_the_same_policy_and_discriminator_bit_for_bit()
    {
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 1, seed: 0);
        var options = CartPoleOptions(2) with { GradientPenaltyWeight = 1, SpectralNorm = true, WarmStart = new BcOptions { Steps = 20 } };
        float[] Run(long seed)
        {
            using var gail = new GailTrainer<int>(SealsCartPole, demos, options, new Rng(seed), NullTrainingLog.Instance);
            gail.Train();
            return [.. gail.Policy.Parameters().SelectMany(p => p.ToArray()), .. gail.RewardNet.Parameters().SelectMany(p => p.ToArray())];
        }

        var first = Run(5);
        Assert.Equal(first, Run(5));
        Assert.NotEqual(first, Run(6));
    }

    [Fact]
    public void Airl_runs_on_continuous_actions_with_the_expert_log_probabilities()
    {
        using var collect = new VectorEnv<float[], float[]>(1, _ => EnvRegistry.Default.MakeContinuous("Pendulum-v1"));
        var demos = Transitions.FromTrajectories(Rollouts.Collect(collect, new PendulumExpert(), SampleUntil.Episodes(1), new Rng(0), 0));
        var options = new AdversarialOptions
        {
            Ppo = new PpoOptions { TotalSteps = 256, Envs = 2, StepsPerEnv = 128, Minibatches = 2, Epochs = 1, PolicyHiddenSizes = [8], ValueHiddenSizes = [8] },
            DiscriminatorBatchSize = 64,
        };
        using var airl = new AirlTrainer<float[]>(_ => EnvRegistry.Default.MakeContinuous("Pendulum-v1"), demos, options, new Rng(0), NullTrainingLog.Instance);

        airl.Iterate();

        var expert = airl.ExpertBatch([0, 1, 2]);
        Assert.All(expert.LogProbs.ToArray(), v => Assert.True(float.IsFinite(v) && v < 5, $"log π(a|s) = {v}"));
        Assert.All(airl.Ppo.Rollout.Rewards.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(airl.Ppo.Rollout.EnvRewards.ToArray(), airl.Ppo.Rollout.Rewards.ToArray());
    }

    // This test was skipped while GAIL trained its discriminator 4 steps of 256 rows per round (seeds 0–4 reached
    // 107, 32, 49, 478, 28 at 100 rounds). With 16 steps of 1024 rows and input normalisation, the defaults now,
    // `apprentice benchmark --tasks seals/CartPole-v0 --algorithms gail` reaches the expert's 500 on every seed.
    [Fact]
    public void Gail_on_fixed_horizon_cartpole_from_ten_demos_beats_a_random_policy_by_far()
    {
        var clock = Stopwatch.StartNew();
        var demos = Demos(Seals, new CartPoleExpert(), episodes: 10, seed: 0);
        using var gail = new GailTrainer<int>(SealsCartPole, demos, CartPoleOptions(100), new Rng(0), NullTrainingLog.Instance);
        var policy = (DiscretePolicy)gail.Train();
        double learned = MeanReturn(policy), random = MeanReturn(new RandomPolicy()), expert = MeanReturn(new CartPoleExpert());
        output.WriteLine($"GAIL {learned:F1}, random {random:F1}, expert {expert:F1}, disc accuracy {gail.LastDiscriminatorStats!.Accuracy:F3}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(learned >= 300 && learned >= 5 * random, $"GAIL {learned:F1}, random {random:F1}, expert {expert:F1}");
    }
}
