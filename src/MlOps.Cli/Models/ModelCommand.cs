using System.CommandLine;

namespace MlOps.Cli.Models;

/// <summary><c>mlops model ls|versions|show|alias|pull</c>: the model registry.</summary>
internal static class ModelCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("model", "List, inspect, alias and pull registered model versions")
        {
            ListModelsCommand.Create(environment, shared),
            ModelVersionsCommand.Create(environment, shared),
            ShowModelCommand.Create(environment, shared),
            AliasCommand.Create(environment, shared),
            PullModelCommand.Create(environment, shared),
        };
}
