using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;
using MlOps.Artifacts;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Deployments;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Pipelines.Running;
using MlOps.Pipelines.Specs;

namespace MlOps.Coordinator.Pipelines;

/// <summary>Fails a step with a message meant for the person who wrote the pipeline.</summary>
internal sealed class PipelineStepException(string message) : Exception(message);

/// <summary>
/// Runs the built-in step kinds with what the coordinator has today (docs/pipelines.md): train submits a training
/// job and waits for it; validate checks a dataset version and pushes a report; register sets aliases; deploy rolls a
/// model version out and waits until it serves; ingest registers a dataset version from a directory under
/// <see cref="PipelineOptions.IngestRoots"/>; prepare, evaluate and command run as command jobs on agents. A built-in
/// coordinator step produces one artifact, returned under each output the step declares; a command job one per output.
/// </summary>
internal sealed partial class CoordinatorStepExecutor(
    JobSubmitter submitter,
    JobCanceller canceller,
    ICoordinatorStore jobs,
    IRegistryStore registry,
    IArtifactStore store,
    DatasetInspector inspector,
    DatasetRegistrar registrar,
    DeploymentCommands deploy,
    DeploymentReconciler reconciler,
    IDeploymentStore deployments,
    ActivePipelineRuns runs,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<CoordinatorStepExecutor> logger) : IStepExecutor
{
    private static readonly string Version =
        typeof(CoordinatorStepExecutor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary><c>mlops-coordinator/VERSION/KIND</c>: a new coordinator build may produce different outputs.</summary>
    public string GetCodeVersion(StepKind kind) => $"mlops-coordinator/{Version}/{kind.ToName()}";

    public async Task<IReadOnlyDictionary<string, ResolvedArtifact>> ExecuteAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        if (execution.Step.Kind is StepKind.Prepare or StepKind.Evaluate or StepKind.Command)
        {
            return await CommandJobAsync(execution, cancellationToken);
        }

        var produced = execution.Step.Kind switch
        {
            StepKind.Train => await TrainAsync(execution, cancellationToken),
            StepKind.Validate => await ValidateAsync(execution, cancellationToken),
            StepKind.Register => await RegisterAsync(execution, cancellationToken),
            StepKind.Deploy => await DeployAsync(execution, cancellationToken),
            StepKind.Ingest => await IngestAsync(execution, cancellationToken),
            _ => throw new PipelineStepException($"step kind '{execution.Step.Kind.ToName()}' is unknown to this coordinator"),
        };
        return execution.Step.Outputs.ToDictionary(o => o, _ => produced, StringComparer.Ordinal);
    }

    private void Note(StepExecution execution, string message)
    {
        var kind = execution.Step.Kind.ToName();
        PipelinesLog.StepNote(logger, execution.RunId, execution.Step.Name, kind, message);
    }

    private static string? Text(StepExecution execution, string key) =>
        execution.Step.Params[key] is ScalarValue scalar ? scalar.Text : null;

    private static long? Integer(StepExecution execution, string key) =>
        Text(execution, key) is { } text ? long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    private static IReadOnlyList<string> TextList(StepExecution execution, string key) =>
        execution.Step.Params[key] is ListValue list ? [.. list.Items.OfType<ScalarValue>().Select(s => s.Text)] : [];

    private static IReadOnlyList<KeyValuePair<string, string>> TextMap(StepExecution execution, string key) =>
        execution.Step.Params[key] is MapValue map
            ? [.. map.Entries.Where(e => e.Value is ScalarValue).Select(e => KeyValuePair.Create(e.Key, ((ScalarValue)e.Value).Text))]
            : [];

    /// <summary>The input <paramref name="name"/>, which must be a <paramref name="type"/> artifact with a version number.</summary>
    private static (string Name, int Version, ResolvedArtifact Artifact) Versioned(StepExecution execution, string name, string type)
    {
        if (!execution.Inputs.TryGetValue(name, out var input))
        {
            throw new PipelineStepException($"the step has no input '{name}'");
        }

        if (!ArtifactReference.TryParse(input.Reference, out var reference, out _) || reference.Type != type ||
            !int.TryParse(reference.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new PipelineStepException($"input '{name}' must be a {type} version ({type}:NAME@N), got {input.Reference}");
        }

        return (reference.Name, version, input);
    }
}
