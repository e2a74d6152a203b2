using System.CommandLine;

namespace MlOps.Cli.Retraining;

/// <summary>
/// <c>mlops retrain policy|now|runs|show</c>: per-model retraining policies and the runs they start
/// (RetrainingService, retraining.proto; docs/retraining.md).
/// </summary>
internal static class RetrainCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("retrain", "Retrain models when they drift, lose accuracy, get new data or on a schedule; canary and promote the better candidate")
        {
            PolicyCommand.Create(environment, shared),
            TriggerCommand.Create(environment, shared),
            RunsCommand.Create(environment, shared),
            ShowRunCommand.Create(environment, shared),
        };
}
