using MlOps.Cli.Client;
using MlOps.Contracts;

namespace MlOps.Cli.Pipelines;

/// <summary>
/// Polls <c>GetPipelineRun</c> until the run has ended, handing each step to <c>onChange</c> whenever its state
/// (or, while running, its job) changes. A coordinator that cannot be reached for a moment is polled again with a
/// note on stderr; after <see cref="MaxFailures"/> failed polls in a row it gives up with that error.
/// </summary>
internal static class PipelineWatch
{
    public const int MaxFailures = Watching.RecordPoller.MaxFailures;

    public static Task<PipelineRun> UntilFinishedAsync(MlOpsClient client, PipelineRun run, Action<PipelineStepRun> onChange,
        TextWriter notes, TimeProvider time, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, (PipelineStepState State, string JobId)>(StringComparer.Ordinal);
        return Watching.RecordPoller.UntilFinishedAsync(run, r => PipelineText.IsFinished(r.State),
            ct => client.GetPipelineRunAsync(run.Id, ct),
            r =>
            {
                foreach (var step in r.Steps)
                {
                    var now = (step.State, step.JobId);
                    var known = seen.TryGetValue(step.Name, out var before);
                    if (known ? before != now : step.State != PipelineStepState.Pending)
                    {
                        onChange(step);
                    }

                    seen[step.Name] = now;
                }
            },
            $"pipeline run {run.Id}", notes, time, cancellationToken);
    }
}
