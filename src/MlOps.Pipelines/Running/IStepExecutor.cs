using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Running;

/// <summary>
/// Runs one step. The coordinator implements it by dispatching the step to an agent (train as a training job,
/// command as a child process, ...) and waiting for the agent's result; tests use fakes.
/// </summary>
public interface IStepExecutor
{
    /// <summary>
    /// The version of the code that runs built-in steps of <paramref name="kind"/>, e.g.
    /// <c>mlops-agent/1.4.0+a43806d</c>. It is part of each step's cache key, so an upgrade that changes what a
    /// kind produces must change it. Not asked for command steps, whose code version is their command and code
    /// artifact (<see cref="Caching.StepCacheKey.CommandCodeVersion"/>).
    /// </summary>
    string GetCodeVersion(StepKind kind);

    /// <summary>
    /// Runs the step and returns its outputs by name: exactly the step's declared outputs, each pushed to the
    /// artifact store with its digest. Throwing fails the step (the message is recorded); honouring
    /// <paramref name="cancellationToken"/> with an <see cref="OperationCanceledException"/> marks it cancelled.
    /// </summary>
    Task<IReadOnlyDictionary<string, ResolvedArtifact>> ExecuteAsync(StepExecution execution, CancellationToken cancellationToken);
}

/// <summary>Turns an artifact reference written in a pipeline (<c>dataset:fashion-mnist@3</c>, or one without a
/// version, meaning the newest) into the exact artifact and digest, so the cache key is exact. The coordinator
/// implements it over its dataset and model registries and the artifact store.</summary>
public interface IArtifactResolver
{
    /// <summary>Throws (any exception; the message is recorded on the step) when the artifact does not exist.</summary>
    ValueTask<ResolvedArtifact> ResolveAsync(ArtifactReference reference, CancellationToken cancellationToken);
}

/// <summary>Told about every change of a run, in order, each time with the whole record (for persisting it).</summary>
public interface IPipelineRunObserver
{
    /// <summary>
    /// Called from the runner's loop, one call at a time; the run waits for it. Not cancelled with the run, so the
    /// final records of a cancelled run are delivered too. Throwing stops the run: running steps are cancelled, the
    /// rest skipped, and <see cref="PipelineRunner.RunAsync"/> rethrows the exception once every step has stopped.
    /// </summary>
    ValueTask OnRunChangedAsync(PipelineRunRecord record, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IStepExecutor.ExecuteAsync"/> gets: the planned step (resolved params), its inputs
/// resolved to artifacts with digests, a command step's code artifact, and the step's cache key (useful as an
/// idempotency key: the same key always means the same work).</summary>
public sealed record StepExecution(
    string RunId,
    string PipelineName,
    Planning.PlannedStep Step,
    IReadOnlyDictionary<string, ResolvedArtifact> Inputs,
    ResolvedArtifact? Code,
    string CacheKey,
    string CodeVersion);
