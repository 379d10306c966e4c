using System.Text.Json.Nodes;
using Apprentice.Algorithms;
using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Experts.ClassicControl;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Random;
using Apprentice.Tensors.Serialization;
using Xunit.Abstractions;

namespace Apprentice.Tests.Algorithms;

public sealed class AdversarialCheckpointTests(ITestOutputHelper output) : IDisposable
{
    private const string Seals = "seals/CartPole-v0";
    private static readonly Transitions ExpertDemos = AdversarialTests.Demos(Seals, new CartPoleExpert(), episodes: 1, seed: 0);

    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "apprentice-adversarial-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static IEnv<float[], int> SealsCartPole(int copy) => EnvRegistry.Default.MakeDiscrete(Seals);

    // Rounds of 2 × 64 steps: seals' 500-step episodes are mid-way at every round's end, so resuming must replay them.
    // GAIL with spectral norm and the interpolated gradient penalty (random draws every round); AIRL with PPO's own
    // observation and reward normalisation and the logit reward; both with the reward net's running input norm and the
    // learned-reward normaliser (the defaults).
    private static AdversarialOptions Tiny(string algorithm, int rounds = 4)
    {
        var ppo = new PpoOptions
        {
            TotalSteps = rounds * 128, Envs = 2, StepsPerEnv = 64, Minibatches = 2, Epochs = 2, PolicyHiddenSizes = [16], ValueHiddenSizes = [16],
        };
        var options = new AdversarialOptions
        {
            Ppo = ppo, DiscriminatorBatchSize = 64, DiscriminatorUpdatesPerRound = 2, DiscriminatorHiddenSizes = [8], GradientPenaltyWeight = 1,
        };
        return algorithm == GailTrainer<int>.Name
            ? options with { SpectralNorm = true }
            : options with { Ppo = ppo with { NormalizeObservations = true, NormalizeRewards = true }, AirlLogitReward = true };
    }

    private static AdversarialTrainer<int> Start(string algorithm, AdversarialOptions options, long seed, ITrainingLog log) =>
        algorithm == GailTrainer<int>.Name
            ? new GailTrainer<int>(SealsCartPole, ExpertDemos, options, new Rng(seed), log)
            : new AirlTrainer<int>(SealsCartPole, ExpertDemos, options, new Rng(seed), log);

    private static AdversarialTrainer<int> Resume(string algorithm, string path, AdversarialOptions options, ITrainingLog log,
        Func<int, IEnv<float[], int>>? makeEnv = null) =>
        algorithm == GailTrainer<int>.Name
            ? GailTrainer<int>.Resume(path, makeEnv ?? SealsCartPole, ExpertDemos, options, log)
            : AirlTrainer<int>.Resume(path, makeEnv ?? SealsCartPole, ExpertDemos, options, log);

    /// <summary>A GAIL checkpoint after one round, for the tests that break it.</summary>
    private string GailCheckpoint()
    {
        string path = Path.Combine(_folder, "gail.safetensors");
        using var gail = Start(GailTrainer<int>.Name, Tiny(GailTrainer<int>.Name), seed: 1, NullTrainingLog.Instance);
        gail.Iterate();
        gail.SaveCheckpoint(path);
        return path;
    }

    [Theory]
    [InlineData("gail")]
    [InlineData("airl")]
    public void A_run_stopped_after_two_rounds_and_resumed_from_its_checkpoint_continues_bit_for_bit(string algorithm)
    {
        var options = Tiny(algorithm);
        string path = Path.Combine(_folder, "run.safetensors");
        var straightLog = new MemoryTrainingLog();
        using var straight = Start(algorithm, options, seed: 3, straightLog);
        var straightRounds = new List<(PpoIterationStats, DiscriminatorStats?)>();
        while (!straight.Ppo.Done) straightRounds.Add((straight.Iterate(), straight.LastDiscriminatorStats));

        DiscriminatorStats? atCheckpoint;
        using (var first = Start(algorithm, options, seed: 3, NullTrainingLog.Instance))
        {
            first.Iterate();
            first.Iterate();
            first.SaveCheckpoint(path);
            atCheckpoint = first.LastDiscriminatorStats;
        }
        var resumedLog = new MemoryTrainingLog();
        using var resumed = Resume(algorithm, path, options, resumedLog);
        Assert.Equal(algorithm, resumed.Algorithm);
        Assert.Equal(2, resumed.Round);
        Assert.Equal(atCheckpoint, resumed.LastDiscriminatorStats);
        var resumedRounds = new List<(PpoIterationStats, DiscriminatorStats?)>();
        while (!resumed.Ppo.Done) resumedRounds.Add((resumed.Iterate(), resumed.LastDiscriminatorStats));

        Assert.Equal(straightRounds.Skip(2), resumedRounds);                      // records of doubles: equal bit for bit (NaN included)
        AssertSameState(straight.Policy, resumed.Policy);
        AssertSameState(straight.Ppo.Value, resumed.Ppo.Value);
        AssertSameState(straight.RewardNet, resumed.RewardNet);
        Assert.Equal(straight.Ppo.RecentEpisodeReturns, resumed.Ppo.RecentEpisodeReturns);
        var tail = straightLog.Scalars.Skip(straightLog.Scalars.Count - resumedLog.Scalars.Count);
        Assert.Equal(tail, resumedLog.Scalars);
        Assert.Contains(resumedLog.Scalars, s => s.Name == "disc/loss");
    }

    [Fact]
    public void Train_with_a_path_checkpoints_every_n_rounds_and_at_the_end_and_a_resumed_run_may_train_longer()
    {
        var options = Tiny(GailTrainer<int>.Name, rounds: 3) with { Ppo = Tiny(GailTrainer<int>.Name, rounds: 3).Ppo with { CheckpointInterval = 2 } };
        string path = Path.Combine(_folder, "nested", "gail.safetensors");        // the folder is created
        var seen = new List<bool>();
        using (var gail = Start(GailTrainer<int>.Name, options, seed: 2, new ProgressProbe(() => seen.Add(File.Exists(path)))))
            gail.Train(path);

        Assert.Equal([false, false, true], seen);                                 // rounds 1 and 2 found none; round 2 wrote one
        Assert.Equal(3, (int)Manifest(path)["round"]!);                           // the end always saves
        var longer = options with { Ppo = options.Ppo with { TotalSteps = 5 * 128 } };
        using var resumed = GailTrainer<int>.Resume(path, SealsCartPole, ExpertDemos, longer, NullTrainingLog.Instance);
        Assert.Equal(3, resumed.Round);
        resumed.Train();
        Assert.Equal(5, resumed.Round);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void A_checkpoint_of_the_other_algorithm_is_refused_naming_both()
    {
        string path = GailCheckpoint();

        var e = Assert.Throws<InvalidDataException>(() => Resume(AirlTrainer<int>.Name, path, Tiny(AirlTrainer<int>.Name), NullTrainingLog.Instance));

        output.WriteLine(e.Message);

        Assert.Contains(path, e.Message);
        Assert.Contains("'algorithm': expected 'airl', found 'gail'", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_env_is_refused_before_any_replay()
    {
        string path = GailCheckpoint();

        var e = Assert.Throws<InvalidDataException>(() => Resume(GailTrainer<int>.Name, path, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance,
            _ => EnvRegistry.Default.MakeDiscrete("CartPole-v1")));

        output.WriteLine(e.Message);

        Assert.Contains(path, e.Message);
        Assert.Contains("'env_id': expected 'CartPole-v1'", e.Message);
        Assert.Contains("found 'seals/CartPole-v0'", e.Message);
    }

    [Fact]
    public void Other_demonstrations_are_refused()
    {
        string path = GailCheckpoint();
        var others = AdversarialTests.Demos(Seals, new CartPoleExpert(), episodes: 1, seed: 1);   // as many rows, other states

        var e = Assert.Throws<InvalidDataException>(() => GailTrainer<int>.Resume(path, SealsCartPole, others, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance));

        output.WriteLine(e.Message);

        Assert.Contains(path, e.Message);
        Assert.Contains($"'demonstrations': expected {others.Count} rows with fingerprint", e.Message);
        Assert.Contains($"found {ExpertDemos.Count} rows", e.Message);
    }

    [Fact]
    public void Other_network_sizes_or_settings_are_refused_listing_each_with_expected_and_found()
    {
        string path = GailCheckpoint();
        var options = Tiny(GailTrainer<int>.Name);
        var other = options with { DiscriminatorHiddenSizes = [8, 8], Ppo = options.Ppo with { PolicyHiddenSizes = [32], Gamma = 0.9 } };

        var e = Assert.Throws<InvalidDataException>(() => Resume(GailTrainer<int>.Name, path, other, NullTrainingLog.Instance));

        output.WriteLine(e.Message);

        Assert.Contains(path, e.Message);
        Assert.Contains("option 'discriminator_hidden_sizes': expected [8,8], found [8]", e.Message);
        Assert.Contains("option 'ppo.policy_hidden_sizes': expected [32], found [16]", e.Message);
        Assert.Contains("option 'ppo.gamma': expected 0.9, found 0.99", e.Message);
        Assert.DoesNotContain("total_steps", e.Message.Split("only")[0]);          // the budget may change
    }

    [Fact]
    public void A_truncated_or_corrupt_file_is_refused_with_its_path()
    {
        string path = GailCheckpoint();
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var truncated = Assert.Throws<InvalidDataException>(() => Resume(GailTrainer<int>.Name, path, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance));
        output.WriteLine(truncated.Message);
        Assert.StartsWith(path, truncated.Message);
        Assert.Contains("corrupt or truncated", truncated.Message);

        var garbage = (byte[])bytes.Clone();
        garbage[8] = (byte)'#';                                                    // the header's opening brace
        File.WriteAllBytes(path, garbage);
        var corrupt = Assert.Throws<InvalidDataException>(() => Resume(GailTrainer<int>.Name, path, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance));
        output.WriteLine(corrupt.Message);
        Assert.Contains("corrupt or truncated", corrupt.Message);

        var missing = Path.Combine(_folder, "none.safetensors");
        Assert.Throws<FileNotFoundException>(() => Resume(GailTrainer<int>.Name, missing, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance));
    }

    [Fact]
    public void A_missing_tensor_or_a_file_that_is_no_checkpoint_is_named()
    {
        string path = GailCheckpoint();
        var file = SafeTensors.Read(path);
        string dropped = file.Names.First(n => n.StartsWith("reward_net.mlp.", StringComparison.Ordinal) && n.Contains("weight", StringComparison.Ordinal));
        SafeTensors.Write(path, file.Names.Where(n => n != dropped).Select(file.GetEntry), file.Metadata);

        var e = Assert.Throws<InvalidDataException>(() => Resume(GailTrainer<int>.Name, path, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance));

        output.WriteLine(e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains(dropped["reward_net.".Length..], e.Message);

        string net = Path.Combine(_folder, "reward.safetensors");
        using (var gail = Start(GailTrainer<int>.Name, Tiny(GailTrainer<int>.Name), seed: 1, NullTrainingLog.Instance)) gail.RewardNet.Save(net);
        var notCheckpoint = Assert.Throws<InvalidDataException>(() => Resume(GailTrainer<int>.Name, net, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance));
        output.WriteLine(notCheckpoint.Message);
        Assert.Contains("metadata 'format': expected 'apprentice.adversarial_checkpoint', found nothing", notCheckpoint.Message);
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_checkpoint_intact()
    {
        // A name the file system takes (≤ 255 bytes) while the temporary name written beside it first does not: a real
        // failure mid-save that, unlike permissions, holds for root too.
        string path = Path.Combine(_folder, new string('c', 230) + ".safetensors");
        File.Copy(GailCheckpoint(), path);
        var before = File.ReadAllBytes(path);
        using (var gail = Start(GailTrainer<int>.Name, Tiny(GailTrainer<int>.Name), seed: 1, NullTrainingLog.Instance))
        {
            gail.Iterate();
            gail.Iterate();
            Assert.ThrowsAny<IOException>(() => gail.SaveCheckpoint(path));
        }

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(2, Directory.GetFiles(_folder).Length);                      // the copy's source and the target, nothing half-written
        using var resumed = GailTrainer<int>.Resume(path, SealsCartPole, ExpertDemos, Tiny(GailTrainer<int>.Name), NullTrainingLog.Instance);
        Assert.Equal(1, resumed.Round);
    }

    private static JsonObject Manifest(string path) => JsonNode.Parse(SafeTensors.Read(path).Metadata["manifest"])!.AsObject();

    private static void AssertSameState(Module expected, Module actual)
    {
        var x = expected.StateDict();
        var y = actual.StateDict();
        Assert.Equal(x.Keys, y.Keys);
        foreach (var name in x.Keys)
            Assert.True(x[name].Span.SequenceEqual(y[name].Span), $"{name} differs");
    }

    /// <summary>Calls back at every progress report (the end of each round, before a due checkpoint is written).</summary>
    private sealed class ProgressProbe(Action onProgress) : ITrainingLog
    {
        public void Scalar(string name, double value, int step) { }
        public void Progress(string stage, int done, int total) => onProgress();
    }
}
