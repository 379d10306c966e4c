using Apprentice.Envs;
using Apprentice.Experts;
using Apprentice.Policies;
using Apprentice.Spaces;

namespace Apprentice.Cli.Commands;

/// <summary>
/// Where commands get an expert: the env's scripted one from <see cref="ExpertCatalog"/>, or a saved policy
/// (a PPO expert from <c>apprentice experts train</c>, or any <see cref="PolicyFile"/>) checked against the env.
/// </summary>
internal static class ExpertSource
{
    /// <summary>The expert for <paramref name="env"/>: loaded from <paramref name="path"/> when given, else the scripted one for <paramref name="envId"/>.</summary>
    public static IPolicy<float[], TAction> For<TAction>(string envId, IEnv<float[], TAction> env, string? path)
    {
        if (path is not null) return LoadFitting(path, envId, env);
        return (IPolicy<float[], TAction>)(typeof(TAction) == typeof(int) ? ExpertCatalog.Discrete(envId) : (object)ExpertCatalog.Continuous(envId));
    }

    /// <summary>Loads a saved policy and checks that its spaces are <paramref name="env"/>'s.</summary>
    /// <exception cref="CliException">The file is missing or unreadable, or the policy was made for other spaces.</exception>
    public static IPolicy<float[], TAction> LoadFitting<TAction>(string path, string envId, IEnv<float[], TAction> env) =>
        Fitting(Load(path), path, envId, env);

    /// <summary>Loads a saved policy (weights and manifest), turning every way the files can be wrong into one <see cref="CliException"/> line.</summary>
    public static MlpPolicy Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: policy file not found.");
        try { return PolicyFile.Load(path); }
        catch (Exception e) when (e is InvalidDataException or Tensors.Serialization.SafeTensorsFormatException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot load the policy: {e.Message}");
        }
    }

    /// <summary>The env recorded in a loaded policy's manifest (<c>env</c>, as <c>train</c> writes it, or <c>env_id</c>, as PPO experts do), or null.</summary>
    public static string? EnvOf(string path)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(PolicyFile.ManifestPath(path)));
        if (!doc.RootElement.TryGetProperty("metadata", out var m) || m.ValueKind != System.Text.Json.JsonValueKind.Object) return null;
        foreach (var key in (ReadOnlySpan<string>)["env", "env_id"])
            if (m.TryGetProperty(key, out var e) && e.ValueKind == System.Text.Json.JsonValueKind.String) return e.GetString();
        return null;
    }

    /// <summary>Returns <paramref name="policy"/> typed for <paramref name="env"/>, or says how its spaces differ.</summary>
    public static IPolicy<float[], TAction> Fitting<TAction>(MlpPolicy policy, string path, string envId, IEnv<float[], TAction> env)
    {
        var (observations, actions) = policy switch
        {
            DiscretePolicy d => (d.ObservationSpace, (Space)d.ActionSpace),
            ContinuousPolicy c => (c.ObservationSpace, (Space)c.ActionSpace),
            _ => throw new CliException($"{path}: unsupported policy type {policy.GetType().Name}."),
        };
        if (observations.FlatDimension != env.ObservationSpace.FlatDimension)
            throw new CliException($"{path}: the policy reads {observations.FlatDimension} observation values; {envId} has {env.ObservationSpace.FlatDimension}. Was it trained on another env?");
        string? problem = (actions, env.ActionSpace) switch
        {
            _ when actions.GetType() != env.ActionSpace.GetType() => $"{Kind(actions)} actions",
            (Discrete mine, Discrete theirs) when mine.N != theirs.N || mine.Start != theirs.Start => $"actions {mine}",
            (Box mine, Box theirs) when !mine.Low.SequenceEqual(theirs.Low) || !mine.High.SequenceEqual(theirs.High) => $"actions {mine} with other bounds",
            _ => null,
        };
        if (problem is not null)
            throw new CliException($"{path}: the policy chooses {problem}; {envId} takes {Kind(env.ActionSpace)} actions {env.ActionSpace}. Was it trained on another env?");
        return policy as IPolicy<float[], TAction> ?? throw new CliException($"{path}: the policy's actions do not fit {envId}.");
    }

    private static string Kind(object space) => space is Discrete ? "discrete" : "continuous";
}
