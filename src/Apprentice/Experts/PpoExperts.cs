using System.Globalization;
using Apprentice.Algorithms;
using Apprentice.Algorithms.Common;
using Apprentice.Envs;
using Apprentice.Evaluation;
using Apprentice.Policies;
using Apprentice.Tensors.Random;

namespace Apprentice.Experts;

/// <summary>A policy trained by <see cref="PpoExperts"/>, saved and measured.</summary>
/// <param name="EnvId">The env it was trained on.</param>
/// <param name="PolicyPath">The saved weights (<see cref="PolicyFile.Load"/> reads them with the manifest beside); null from <see cref="PpoExperts.Fit"/>, which does not save.</param>
/// <param name="Policy">The policy itself.</param>
/// <param name="Steps">Env steps trained.</param>
/// <param name="TrainingReturn">Mean env return of the last 20 training episodes (stochastic actions).</param>
/// <param name="EvaluationReturn">Mean return of the deterministic policy over the episodes of <see cref="PpoExperts.Evaluation"/>.</param>
public sealed record PpoExpert(string EnvId, string? PolicyPath, MlpPolicy Policy, int Steps, double TrainingReturn, double EvaluationReturn);

/// <summary>
/// Neural experts trained with PPO on the classic-control envs, with settings measured to solve them,
/// so a command can retrain them without hand-tuning. Each call trains, evaluates and saves one policy.
/// </summary>
public static class PpoExperts
{
    /// <summary>
    /// CartPole-v1: Stable-Baselines3 zoo's settings (8 envs × 32 steps, 20 epochs of one minibatch, γ 0.98,
    /// λ 0.8, lr 1e-3 annealed, no entropy bonus) over 100k steps.
    /// </summary>
    public static PpoOptions CartPoleOptions { get; } = new()
    {
        TotalSteps = 100_000, Envs = 8, StepsPerEnv = 32, Minibatches = 1, Epochs = 20, Gamma = 0.98, Lambda = 0.8,
        LearningRate = 1e-3, EntropyCoefficient = 0,
    };

    /// <summary>
    /// Pendulum-v1: 4 envs × 1024 steps, 10 epochs of 16 minibatches, γ 0.9, lr 3e-4 annealed, observation and
    /// reward normalisation, initial σ = 0.5 in normalised units (1 N·m), no gSDE, over 300k steps.
    /// </summary>
    public static PpoOptions PendulumOptions { get; } = new()
    {
        TotalSteps = 300_000, Envs = 4, StepsPerEnv = 1024, Minibatches = 16, Epochs = 10, Gamma = 0.9, Lambda = 0.95,
        LearningRate = 3e-4, EntropyCoefficient = 0, NormalizeObservations = true, NormalizeRewards = true, InitialLogStd = -0.69f,
    };

    /// <summary>
    /// Acrobot-v1: close to Stable-Baselines3 zoo's (16 envs × 256 steps, 4 epochs, γ 0.99, λ 0.94, observation
    /// normalisation, no entropy bonus), with 16 minibatches and lr 1e-3 annealed (3e-4 learned more slowly), over 300k steps.
    /// </summary>
    public static PpoOptions AcrobotOptions { get; } = new()
    {
        TotalSteps = 300_000, Envs = 16, StepsPerEnv = 256, Minibatches = 16, Epochs = 4, Gamma = 0.99, Lambda = 0.94,
        LearningRate = 1e-3, EntropyCoefficient = 0, NormalizeObservations = true,
    };

    /// <summary>Env ids with a PPO recipe (settings measured to solve them), in the order <see cref="Recipe"/> knows them.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["CartPole-v1", "Acrobot-v1", "Pendulum-v1"];

    /// <summary>The measured settings for <paramref name="envId"/>.</summary>
    /// <exception cref="KeyNotFoundException">No recipe for <paramref name="envId"/>; the message lists those there are.</exception>
    public static PpoOptions Recipe(string envId) => envId switch
    {
        "CartPole-v1" => CartPoleOptions,
        "Acrobot-v1" => AcrobotOptions,
        "Pendulum-v1" => PendulumOptions,
        _ => throw new KeyNotFoundException($"No PPO recipe for '{envId}'. Recipes exist for: {string.Join(", ", Ids)}."),
    };

    /// <summary>The file name the folder-based trainers use: the env id in lower case with <c>.safetensors</c>.</summary>
    public static string DefaultFileName(string envId) => envId.ToLowerInvariant().Replace('/', '-') + ".safetensors";

    /// <summary>Episodes and seeds of the evaluation every trained expert gets (<see cref="PpoExpert.EvaluationReturn"/>):
    /// 20 deterministic episodes from seed 1 000 000 on, the seeds <c>apprentice eval</c> uses by default.</summary>
    public static EvaluationOptions Evaluation { get; } = new() { Episodes = 20 };

    /// <summary>Trains a CartPole-v1 expert and saves it as <c>cartpole-v1.safetensors</c> in <paramref name="folder"/>.</summary>
    /// <param name="folder">Where the policy is saved (created if needed).</param>
    /// <param name="rng">Initial weights and run seed.</param>
    /// <param name="log">PPO's scalars and progress.</param>
    /// <param name="options">Overrides <see cref="CartPoleOptions"/>.</param>
    public static PpoExpert TrainCartPole(string folder, Rng rng, ITrainingLog log, PpoOptions? options = null) =>
        TrainInto(folder, "CartPole-v1", options, rng, log);

    /// <summary>Trains a Pendulum-v1 expert and saves it as <c>pendulum-v1.safetensors</c>.</summary>
    /// <inheritdoc cref="TrainCartPole"/>
    public static PpoExpert TrainPendulum(string folder, Rng rng, ITrainingLog log, PpoOptions? options = null) =>
        TrainInto(folder, "Pendulum-v1", options, rng, log);

    /// <summary>Trains an Acrobot-v1 expert and saves it as <c>acrobot-v1.safetensors</c>.</summary>
    /// <inheritdoc cref="TrainCartPole"/>
    public static PpoExpert TrainAcrobot(string folder, Rng rng, ITrainingLog log, PpoOptions? options = null) =>
        TrainInto(folder, "Acrobot-v1", options, rng, log);

    /// <summary>
    /// Trains an expert for any env with a <see cref="Recipe"/>, evaluates it as <see cref="Evaluation"/> says and saves
    /// it to <paramref name="path"/> (with its manifest beside). Nothing is written until training and evaluation have
    /// finished, and each file is replaced atomically, so a failed run leaves an earlier expert at that path intact.
    /// </summary>
    /// <param name="envId">An id from <see cref="Ids"/>.</param>
    /// <param name="path">The weights file (<c>.safetensors</c>); its folder must exist.</param>
    /// <param name="rng">Initial weights and run seed.</param>
    /// <param name="log">PPO's scalars and progress.</param>
    /// <param name="options">Overrides the recipe (for instance a smaller <see cref="PpoOptions.TotalSteps"/>).</param>
    /// <exception cref="KeyNotFoundException">No recipe for <paramref name="envId"/>.</exception>
    public static PpoExpert Train(string envId, string path, Rng rng, ITrainingLog log, PpoOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rng);
        options ??= Recipe(envId);
        return EnvRegistry.Default.ActionType(envId) == typeof(int)
            ? Train<int>(envId, path, options, rng, log, _ => EnvRegistry.Default.MakeDiscrete(envId))
            : Train<float[]>(envId, path, options, rng, log, _ => EnvRegistry.Default.MakeContinuous(envId));
    }

    /// <summary>
    /// Trains and evaluates an expert as <see cref="Train(string, string, Rng, ITrainingLog, PpoOptions?)"/> does, without
    /// saving it (<see cref="PpoExpert.PolicyPath"/> is null): how <c>apprentice benchmark</c> checks the recipes.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No recipe for <paramref name="envId"/>.</exception>
    public static PpoExpert Fit(string envId, Rng rng, ITrainingLog log, PpoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        options ??= Recipe(envId);
        return EnvRegistry.Default.ActionType(envId) == typeof(int)
            ? Train<int>(envId, null, options, rng, log, _ => EnvRegistry.Default.MakeDiscrete(envId))
            : Train<float[]>(envId, null, options, rng, log, _ => EnvRegistry.Default.MakeContinuous(envId));
    }

    private static PpoExpert TrainInto(string folder, string envId, PpoOptions? options, Rng rng, ITrainingLog log)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        return Train(envId, Path.Combine(folder, DefaultFileName(envId)), rng, log, options);
    }

    private static PpoExpert Train<TAction>(string envId, string? path, PpoOptions options, Rng rng, ITrainingLog log, Func<int, IEnv<float[], TAction>> makeEnv)
    {
        using var trainer = new PpoTrainer<TAction>(makeEnv, options, rng, log);
        var policy = trainer.Train();
        double trainingReturn = trainer.MeanRecentReturn(20);

        // Fixed seeds, one env, deterministic actions: Evaluator.Evaluate on the reloaded file gives the same number.
        using var env = makeEnv(0);
        double evaluationReturn = Evaluator.Evaluate(env, (IPolicy<float[], TAction>)policy, Evaluation, rng).ReturnMean;

        if (path is null) return new PpoExpert(envId, null, policy, trainer.Steps, trainingReturn, evaluationReturn);
        PolicyFile.Save(policy, path, new Dictionary<string, string>
        {
            ["env_id"] = envId,
            ["algorithm"] = "ppo",
            ["steps"] = trainer.Steps.ToString(CultureInfo.InvariantCulture),
            ["training_return"] = trainingReturn.ToString("R", CultureInfo.InvariantCulture),
            ["evaluation_return"] = evaluationReturn.ToString("R", CultureInfo.InvariantCulture),
        });
        return new PpoExpert(envId, path, policy, trainer.Steps, trainingReturn, evaluationReturn);
    }
}
