using System.CommandLine;

namespace MlOps.Cli.Pipelines;

/// <summary><c>mlops pipeline run|ls|show</c>: pipelines of cached steps run by the coordinator (PipelineService,
/// pipelines.proto; docs/pipelines.md).</summary>
internal static class PipelineCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("pipeline", "Run YAML pipelines of steps (validate, train, register, deploy, ...) whose unchanged steps come from the cache")
        {
            RunPipelineCommand.Create(environment, shared),
            ListPipelineRunsCommand.Create(environment, shared),
            ShowPipelineRunCommand.Create(environment, shared),
        };
}
