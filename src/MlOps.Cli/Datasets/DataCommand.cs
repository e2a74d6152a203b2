using System.CommandLine;

namespace MlOps.Cli.Datasets;

/// <summary><c>mlops data push|ls|show|derive</c>: immutable dataset versions in the coordinator's registry, and
/// derived copies of local dataset files.</summary>
internal static class DataCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("data", "Push, list and show dataset versions; derive shifted copies of dataset files")
        {
            DataPushCommand.Create(environment, shared),
            ListDatasetsCommand.Create(environment, shared),
            ShowDatasetCommand.Create(environment, shared),
            DataDeriveCommand.Create(environment),
        };
}
