using System.Threading.Channels;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Running;

public sealed partial class PipelineRunner
{
    /// <summary>
    /// One step, as a task: resolve the inputs, compute the cache key, serve it from the cache or run it, store
    /// the result. Never throws: every outcome, including a cancellation, is posted to the run's loop, and the
    /// last event of a step is always its final state.
    /// </summary>
    private async Task RunStepAsync(
        int index,
        PipelinePlan plan,
        string runId,
        IReadOnlyDictionary<string, ResolvedArtifact> upstream,
        ChannelWriter<StepEvent> events,
        CancellationToken cancellationToken)
    {
        var step = plan.Steps[index];
        void Post(StepEvent change) => events.TryWrite(change with { Index = index, At = _time.GetUtcNow() });

        try
        {
            var inputs = new Dictionary<string, ResolvedArtifact>(StringComparer.Ordinal);
            foreach (var input in step.Inputs)
            {
                inputs[input.Name] = input.Source is ArtifactReference artifact
                    ? await ResolveAsync(artifact, $"input '{input.Name}'", cancellationToken)
                    : upstream[input.Name];
            }

            var code = step.Code is { } codeReference ? await ResolveAsync(codeReference, "code", cancellationToken) : null;
            var codeVersion = step.Kind == StepKind.Command
                ? StepCacheKey.CommandCodeVersion(step.Params, code?.Digest)
                : _executor.GetCodeVersion(step.Kind);
            var key = StepCacheKey.Compute(step.Kind, step.Params, inputs.ToDictionary(i => i.Key, i => i.Value.Digest, StringComparer.Ordinal), step.Outputs, codeVersion);

            if (step.Cache && _options.UseCache &&
                await _cache.TryGetAsync(key, cancellationToken) is { } cached && HasEvery(step, cached))
            {
                Post(new StepEvent(StepRunState.Cached) { CacheKey = key, Inputs = inputs, Outputs = Declared(step, cached) });
                return;
            }

            Post(new StepEvent(StepRunState.Running) { CacheKey = key, Inputs = inputs });
            var execution = new StepExecution(runId, plan.Name, step, inputs, code, key, codeVersion);
            var outputs = await _executor.ExecuteAsync(execution, cancellationToken);
            var problem = CheckOutputs(step, outputs);
            if (problem is not null)
            {
                Post(new StepEvent(StepRunState.Failed) { Error = problem });
                return;
            }

            string? warning = null;
            if (step.Cache)
            {
                try
                {
                    await _cache.PutAsync(key, outputs, cancellationToken);
                }
                catch (Exception ex)
                {
                    // The step did its work; only reuse is lost.
                    warning = $"outputs not cached: {ex.Message}";
                }
            }

            Post(new StepEvent(StepRunState.Succeeded) { Outputs = Declared(step, outputs), Warning = warning });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Post(new StepEvent(StepRunState.Cancelled) { Error = "cancelled with the run" });
        }
        catch (Exception ex)
        {
            Post(new StepEvent(StepRunState.Failed) { Error = ex.Message });
        }
    }

    private async ValueTask<ResolvedArtifact> ResolveAsync(ArtifactReference reference, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _resolver.ResolveAsync(reference, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{what} ({reference}) cannot be resolved: {ex.Message}", ex);
        }
    }

    private static bool HasEvery(PlannedStep step, IReadOnlyDictionary<string, ResolvedArtifact> outputs) =>
        step.Outputs.All(outputs.ContainsKey);

    private static Dictionary<string, ResolvedArtifact> Declared(PlannedStep step, IReadOnlyDictionary<string, ResolvedArtifact> outputs) =>
        step.Outputs.ToDictionary(o => o, o => outputs[o], StringComparer.Ordinal);

    private static string? CheckOutputs(PlannedStep step, IReadOnlyDictionary<string, ResolvedArtifact>? outputs)
    {
        if (outputs is null)
        {
            return "the executor returned no outputs";
        }

        var missing = step.Outputs.Where(o => !outputs.ContainsKey(o)).ToList();
        var extra = outputs.Keys.Where(k => !step.Outputs.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count == 0 && extra.Count == 0)
        {
            return null;
        }

        var problems = new List<string>();
        if (missing.Count > 0)
        {
            problems.Add($"did not produce the declared output(s) {string.Join(", ", missing)}");
        }

        if (extra.Count > 0)
        {
            problems.Add($"produced undeclared output(s) {string.Join(", ", extra)}");
        }

        return "the step " + string.Join(" and ", problems);
    }
}

/// <summary>A change a step task reports to the run's loop; <see cref="Index"/> -1 is "cancel requested".</summary>
internal sealed record StepEvent(StepRunState State)
{
    public static readonly StepEvent CancelRequested = new(StepRunState.Cancelled) { Index = -1 };

    public int Index { get; init; }

    public DateTimeOffset At { get; init; }

    public string? CacheKey { get; init; }

    public IReadOnlyDictionary<string, ResolvedArtifact>? Inputs { get; init; }

    public IReadOnlyDictionary<string, ResolvedArtifact>? Outputs { get; init; }

    public string? Error { get; init; }

    public string? Warning { get; init; }
}
