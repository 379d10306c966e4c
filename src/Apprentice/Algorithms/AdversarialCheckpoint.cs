using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apprentice.Algorithms.Common;
using Apprentice.Data;
using Apprentice.Envs;
using Apprentice.Rewards;
using Apprentice.Tensors;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;
using Apprentice.Tensors.Serialization;

namespace Apprentice.Algorithms;

/// <summary>
/// The checkpoint of an <see cref="AdversarialTrainer{TAction}"/>: one safetensors file, so that it can be replaced
/// in a single atomic rename (PPO's folder of files cannot be). Tensors are named by part: <c>policy.*</c>,
/// <c>value.*</c>, <c>ppo_optimizer.*</c>, <c>reward_net.*</c> (running input statistics included) and
/// <c>discriminator_optimizer.*</c>. The metadata holds <c>format</c>, <c>format_version</c> and a JSON
/// <c>manifest</c>: algorithm, env, sizes, the options, a fingerprint of the demonstrations, PPO's run state exactly as
/// its <c>trainer.json</c> holds it, both optimisers' scalars, and the trainer's own state.
/// </summary>
internal sealed class AdversarialCheckpoint
{
    public const string Format = "apprentice.adversarial_checkpoint";
    public const int FormatVersion = 1;
    private const string FormatKey = "format", VersionKey = "format_version", ManifestKey = "manifest";
    private const string PolicyPrefix = "policy.", ValuePrefix = "value.", PpoOptimizerPrefix = "ppo_optimizer.",
        RewardNetPrefix = "reward_net.", DiscriminatorOptimizerPrefix = "discriminator_optimizer.";
    private static readonly string[] Prefixes = [PolicyPrefix, ValuePrefix, PpoOptimizerPrefix, RewardNetPrefix, DiscriminatorOptimizerPrefix];

    /// <summary>
    /// Options that may differ on resume: the budget (an annealed learning rate is re-planned, as PPO's <c>Resume</c>
    /// allows), the checkpoint interval, and the warm start, which only shaped the run's start. Any other difference
    /// would change the numbers or the shapes, so it is refused.
    /// </summary>
    private static readonly string[] Changeable = ["ppo.total_steps", "ppo.iterations", "ppo.checkpoint_interval", "warm_start"];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // doubles are written round-trip exact
    };

    private readonly string _path;
    private readonly SafeTensorsFile _file;
    private readonly Manifest _manifest;

    private AdversarialCheckpoint(string path, SafeTensorsFile file, Manifest manifest) => (_path, _file, _manifest) = (path, file, manifest);

    /// <summary>What a checkpoint holds, gathered by the trainer.</summary>
    public sealed record Contents(string Algorithm, AdversarialOptions Options, string? EnvId, int ObservationDimension, string ActionSpace,
        Transitions Demonstrations, int Round, string PpoState, Module Policy, Module Value, OptimizerState PpoOptimizer, Module RewardNet, OptimizerState DiscriminatorOptimizer,
        RngState DiscriminatorRng, RunningRewardNormalizer? Normalizer, DiscriminatorStats? LastStats);

    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically (temporary file in the same folder, then a rename).</summary>
    public static void Write(string path, Contents contents)
    {
        var tensors = new List<(string Name, int[] Shape, ReadOnlyMemory<float> Data)>();
        AddModule(tensors, PolicyPrefix, contents.Policy);
        AddModule(tensors, ValuePrefix, contents.Value);
        AddOptimizer(tensors, PpoOptimizerPrefix, contents.PpoOptimizer);
        AddModule(tensors, RewardNetPrefix, contents.RewardNet);
        AddOptimizer(tensors, DiscriminatorOptimizerPrefix, contents.DiscriminatorOptimizer);
        var manifest = new Manifest
        {
            Algorithm = contents.Algorithm,
            EnvId = contents.EnvId,
            ObservationDimension = contents.ObservationDimension,
            ActionSpace = contents.ActionSpace,
            Demonstrations = SavedDemonstrations.Of(contents.Demonstrations),
            Round = contents.Round,
            Options = OptionsNode(contents.Options),
            Ppo = JsonNode.Parse(contents.PpoState)!.AsObject(),
            PpoOptimizer = SavedOptimizer.From(contents.PpoOptimizer),
            DiscriminatorOptimizer = SavedOptimizer.From(contents.DiscriminatorOptimizer),
            DiscriminatorRng = contents.DiscriminatorRng,
            RewardNormalizer = contents.Normalizer is { } n ? new SavedNormalizer { Count = n.Count, Mean = n.Mean, Variance = n.Variance } : null,
            LastDiscriminatorStats = contents.LastStats is { } s
                ? new SavedStats { Loss = s.Loss, Penalty = s.Penalty, ExpertAccuracy = s.ExpertAccuracy, GeneratorAccuracy = s.GeneratorAccuracy }
                : null,
        };
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = Format,
            [VersionKey] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            [ManifestKey] = JsonSerializer.Serialize(manifest, Json),
        };
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        SafeTensors.Write(path, tensors, metadata);
    }

    private static void AddModule(List<(string, int[], ReadOnlyMemory<float>)> tensors, string prefix, Module module)
    {
        foreach (var (name, tensor) in module.StateDict()) tensors.Add((prefix + name, tensor.Shape.ToArray(), tensor.ToArray()));
    }

    private static void AddOptimizer(List<(string, int[], ReadOnlyMemory<float>)> tensors, string prefix, OptimizerState state)
    {
        foreach (var buffer in state.Buffers) tensors.Add((prefix + buffer.Name, buffer.Shape, buffer.Values));
    }

    private static JsonObject OptionsNode(AdversarialOptions options) =>
        JsonSerializer.SerializeToNode(options with { WarmStart = null }, Json)!.AsObject();   // BC's settings only shaped the start

    /// <summary>Reads and checks the file's format, its manifest and that <paramref name="algorithm"/> wrote it (not yet whether it fits the trainer's env and options).</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt or truncated, not an adversarial checkpoint, from another format version or algorithm, or its manifest is malformed.</exception>
    public static AdversarialCheckpoint Read(string path, string algorithm)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no checkpoint there.", path);
        SafeTensorsFile file;
        try
        {
            file = SafeTensors.Read(path);
        }
        catch (SafeTensorsFormatException e)
        {
            string detail = e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;   // it names the path too
            throw new InvalidDataException($"{path}: not a readable checkpoint (corrupt or truncated): {detail}", e);
        }
        file.Metadata.TryGetValue(FormatKey, out var format);
        if (format != Format)
            throw new InvalidDataException($"{path}: metadata 'format': expected '{Format}', found {Quote(format)}; this is not a GAIL/AIRL checkpoint " +
                "(PPO's checkpoints are folders, resumed with PpoTrainer.Resume).");
        file.Metadata.TryGetValue(VersionKey, out var version);
        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{path}: metadata '{VersionKey}': expected {FormatVersion}, found {Quote(version)}.");
        Manifest manifest;
        try
        {
            manifest = file.Metadata.TryGetValue(ManifestKey, out var text) ? JsonSerializer.Deserialize<Manifest>(text, Json)! : null!;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: metadata '{ManifestKey}' is not valid JSON: {e.Message}", e);
        }
        if (manifest is null) throw new InvalidDataException($"{path}: metadata '{ManifestKey}' is missing.");
        foreach (var (field, value) in new (string, object?)[] { ("algorithm", manifest.Algorithm), ("options", manifest.Options), ("ppo", manifest.Ppo),
            ("action_space", manifest.ActionSpace), ("demonstrations", manifest.Demonstrations), ("ppo_optimizer", manifest.PpoOptimizer), ("discriminator_optimizer", manifest.DiscriminatorOptimizer) })
            if (value is null) throw new InvalidDataException($"{path}: manifest field '{field}' is missing.");
        foreach (var name in file.Names)
            if (!Array.Exists(Prefixes, p => name.StartsWith(p, StringComparison.Ordinal)))
                throw new InvalidDataException($"{path}: unexpected tensor '{name}'; a checkpoint's tensors start with {string.Join(", ", Prefixes)}.");
        var checkpoint = new AdversarialCheckpoint(path, file, manifest);
        checkpoint.CheckAlgorithm(algorithm);
        return checkpoint;
    }

    private void CheckAlgorithm(string algorithm)
    {
        if (_manifest.Algorithm != algorithm)
            throw new InvalidDataException($"{_path}: manifest field 'algorithm': expected '{algorithm}', found '{_manifest.Algorithm}'; " +
                $"resume it with the {_manifest.Algorithm?.ToUpperInvariant()} trainer.");
    }

    /// <summary>Refuses options that differ from the checkpoint's in anything but <see cref="Changeable"/>, listing each difference.</summary>
    public void CheckOptions(AdversarialOptions options)
    {
        var differences = new List<string>();
        Compare(OptionsNode(options), _manifest.Options, "", differences);
        if (differences.Count > 0)
            throw new InvalidDataException($"{_path}: the checkpoint does not fit these options: {string.Join("; ", differences)} " +
                $"(expected: this trainer's options; found: the checkpoint's). Resume with the options the run was started with; " +
                "only ppo.total_steps (to train longer), ppo.checkpoint_interval and warm_start may change.");
    }

    /// <summary>Refuses other demonstrations than the run's: the expert batches would differ, and so would everything after.</summary>
    public void CheckDemonstrations(Transitions demos)
    {
        var given = SavedDemonstrations.Of(demos);
        var saved = _manifest.Demonstrations!;
        if (given.Rows != saved.Rows || given.Fingerprint != saved.Fingerprint)
            throw new InvalidDataException($"{_path}: manifest field 'demonstrations': expected {given.Rows} rows with fingerprint {given.Fingerprint} " +
                $"(the demonstrations given), found {saved.Rows} rows with fingerprint {saved.Fingerprint}; resume with the run's own demonstrations.");
    }

    private static void Compare(JsonNode? expected, JsonNode? found, string path, List<string> differences)
    {
        if (Array.IndexOf(Changeable, path) >= 0) return;
        if (expected is JsonObject e && found is JsonObject f)
        {
            foreach (var (key, value) in e) Compare(value, f[key], path.Length == 0 ? key : $"{path}.{key}", differences);
            foreach (var (key, value) in f)
                if (!e.ContainsKey(key)) Compare(null, value, path.Length == 0 ? key : $"{path}.{key}", differences);
            return;
        }
        if (!JsonNode.DeepEquals(expected, found))
            differences.Add($"option '{path}': expected {expected?.ToJsonString() ?? "nothing"}, found {found?.ToJsonString() ?? "nothing"}");
    }

    /// <summary>
    /// Rebuilds PPO from the checkpoint: checks the envs that <paramref name="makeEnv"/> builds against the saved ones,
    /// loads policy, value and optimiser, then replays the envs (<see cref="PpoTrainer{TAction}"/>'s own restore).
    /// </summary>
    /// <param name="makeEnv">Builds env copy i.</param>
    /// <param name="options">PPO's options (already checked against the checkpoint's).</param>
    /// <param name="log">Receives PPO's scalars.</param>
    /// <param name="rewriteRewards">The adversarial trainer's reward hook.</param>
    /// <param name="actionSpaceOf">The action space of a PPO trainer's policy.</param>
    public PpoTrainer<TAction> RestorePpo<TAction>(Func<int, IEnv<float[], TAction>> makeEnv, PpoOptions options, ITrainingLog log,
        Action<RolloutBuffer> rewriteRewards, Func<PpoTrainer<TAction>, object> actionSpaceOf) =>
        PpoTrainer<TAction>.Restore(_manifest.Ppo!.ToJsonString(), $"{_path} (manifest field 'ppo')", makeEnv, options, log, rewriteRewards, ppo =>
        {
            CheckField("env_id", ppo.EnvId, _manifest.EnvId, "the env makeEnv builds");
            CheckField("observation_dimension", ppo.Policy.ObservationDimension.ToString(CultureInfo.InvariantCulture),
                _manifest.ObservationDimension.ToString(CultureInfo.InvariantCulture), "the env's observations");
            CheckField("action_space", RewardNet.DescribeActionSpace(actionSpaceOf(ppo)), _manifest.ActionSpace, "the env's actions");
            LoadModule(ppo.Policy, PolicyPrefix);
            LoadModule(ppo.Value, ValuePrefix);
            LoadOptimizer(ppo.Optimizer, PpoOptimizerPrefix, _manifest.PpoOptimizer!);
            return $"{_path} (tensors '{PpoOptimizerPrefix}*')";
        });

    private void CheckField(string field, string? expected, string? found, string what)
    {
        if (expected != found)
            throw new InvalidDataException($"{_path}: manifest field '{field}': expected {Quote(expected)} ({what}), found {Quote(found)}; the checkpoint is from another env.");
    }

    /// <summary>Loads the reward net, its optimiser and the normaliser; continues <paramref name="rng"/> (the discriminator's generator) where it stood; returns the last round's statistics.</summary>
    public DiscriminatorStats? RestoreDiscriminator(Module rewardNet, Optimizer optimizer, RunningRewardNormalizer? normalizer, Rng rng)
    {
        var savedRng = _manifest.DiscriminatorRng
            ?? throw new InvalidDataException($"{_path}: manifest field 'discriminator_rng' is missing.");
        try
        {
            rng.SetState(savedRng);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{_path}: manifest field 'discriminator_rng': {e.Message}", e);
        }
        LoadModule(rewardNet, RewardNetPrefix);
        LoadOptimizer(optimizer, DiscriminatorOptimizerPrefix, _manifest.DiscriminatorOptimizer!);
        if (normalizer is not null)
        {
            var saved = _manifest.RewardNormalizer
                ?? throw new InvalidDataException($"{_path}: manifest field 'reward_normalizer' is missing although the options normalise rewards.");
            try
            {
                normalizer.Restore(saved.Count, saved.Mean, saved.Variance);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{_path}: manifest field 'reward_normalizer': {e.Message}", e);
            }
        }
        var s = _manifest.LastDiscriminatorStats;
        return s is null ? null : new DiscriminatorStats(s.Loss, s.Penalty, s.ExpertAccuracy, s.GeneratorAccuracy);
    }

    private void LoadModule(Module module, string prefix)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var name in _file.Names)
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                state[name[prefix.Length..]] = Tensor.FromArray(_file.GetFloat32(name), _file.GetShape(name));
        try
        {
            module.LoadStateDict(state);
        }
        catch (StateDictException e)
        {
            throw new InvalidDataException($"{_path}: tensors '{prefix}*': {e.Message}", e);
        }
    }

    private void LoadOptimizer(Optimizer optimizer, string prefix, SavedOptimizer saved)
    {
        var buffers = new List<OptimizerBuffer>();
        foreach (var name in _file.Names)
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                buffers.Add(new OptimizerBuffer(name[prefix.Length..], _file.GetFloat32(name), _file.GetShape(name)));
        try
        {
            var parameters = (saved.Parameters ?? []).ConvertAll(p => new NamedShape(p.Name ?? "", p.Shape ?? []));
            optimizer.LoadState(new OptimizerState(saved.Type ?? "", saved.StepCount, parameters, saved.HyperParameters ?? [], buffers));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{_path}: tensors '{prefix}*': {e.Message}", e);
        }
    }

    private static string Quote(string? value) => value is null ? "nothing" : $"'{value}'";

    private sealed class Manifest
    {
        public string? Algorithm { get; set; }
        public string? EnvId { get; set; }
        public int ObservationDimension { get; set; }
        public string? ActionSpace { get; set; }
        public SavedDemonstrations? Demonstrations { get; set; }
        public int Round { get; set; }
        public JsonObject? Options { get; set; }
        public JsonObject? Ppo { get; set; }
        public SavedOptimizer? PpoOptimizer { get; set; }
        public SavedOptimizer? DiscriminatorOptimizer { get; set; }
        public RngState? DiscriminatorRng { get; set; }
        public SavedNormalizer? RewardNormalizer { get; set; }
        public SavedStats? LastDiscriminatorStats { get; set; }
    }

    /// <summary>An optimiser's scalars; its buffers are tensors of the file.</summary>
    private sealed class SavedOptimizer
    {
        public string? Type { get; set; }
        public int StepCount { get; set; }
        public List<SavedShape>? Parameters { get; set; }
        public Dictionary<string, double>? HyperParameters { get; set; }

        public static SavedOptimizer From(OptimizerState state) => new()
        {
            Type = state.OptimizerType,
            StepCount = state.StepCount,
            Parameters = [.. state.Parameters.Select(p => new SavedShape { Name = p.Name, Shape = p.Shape })],
            HyperParameters = new Dictionary<string, double>(state.HyperParameters),
        };
    }

    private sealed class SavedShape
    {
        public string? Name { get; set; }
        public int[]? Shape { get; set; }
    }

    /// <summary>The demonstrations' row count and a 64-bit FNV-1a hash of the bits of every value the discriminator reads (s, a, s′, done).</summary>
    private sealed class SavedDemonstrations
    {
        public int Rows { get; set; }
        public string? Fingerprint { get; set; }

        public static SavedDemonstrations Of(Transitions demos)
        {
            ulong hash = 14695981039346656037UL;
            Mix(ref hash, demos.Observations.Span);
            Mix(ref hash, demos.Actions.Span);
            Mix(ref hash, demos.NextObservations.Span);
            foreach (bool done in demos.Dones) hash = (hash ^ (done ? 1UL : 0UL)) * 1099511628211UL;
            return new SavedDemonstrations { Rows = demos.Count, Fingerprint = hash.ToString("x16", CultureInfo.InvariantCulture) };
        }

        private static void Mix(ref ulong hash, ReadOnlySpan<float> values)
        {
            foreach (float v in values) hash = (hash ^ BitConverter.SingleToUInt32Bits(v)) * 1099511628211UL;
        }
    }

    private sealed class SavedNormalizer
    {
        public double Count { get; set; }
        public double Mean { get; set; }
        public double Variance { get; set; }
    }

    private sealed class SavedStats
    {
        public double Loss { get; set; }
        public double Penalty { get; set; }
        public double ExpertAccuracy { get; set; }
        public double GeneratorAccuracy { get; set; }
    }
}
