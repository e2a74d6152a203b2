using System.CommandLine;

namespace MlOps.Cli.Datasets;

/// <summary><c>mlops data push|ls|show</c>: immutable dataset versions in the coordinator's registry.</summary>
internal static class DataCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("data", "Push, list and show dataset versions")
        {
            DataPushCommand.Create(environment, shared),
            ListDatasetsCommand.Create(environment, shared),
            ShowDatasetCommand.Create(environment, shared),
        };
}
