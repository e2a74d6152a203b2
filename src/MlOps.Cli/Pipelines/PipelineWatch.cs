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
    public const int MaxFailures = 10;

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task<PipelineRun> UntilFinishedAsync(MlOpsClient client, PipelineRun run, Action<PipelineStepRun> onChange,
        TextWriter notes, TimeProvider time, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, (PipelineStepState State, string JobId)>(StringComparer.Ordinal);
        var failures = 0;
        while (true)
        {
            foreach (var step in run.Steps)
            {
                var now = (step.State, step.JobId);
                var known = seen.TryGetValue(step.Name, out var before);
                if (known ? before != now : step.State != PipelineStepState.Pending)
                {
                    onChange(step);
                }

                seen[step.Name] = now;
            }

            if (PipelineText.IsFinished(run.State))
            {
                return run;
            }

            await Task.Delay(PollInterval, time, cancellationToken);
            try
            {
                run = await client.GetPipelineRunAsync(run.Id, cancellationToken);
                failures = 0;
            }
            catch (CliException ex) when (ex.IsTransient)
            {
                if (++failures >= MaxFailures)
                {
                    throw new CliException(ex.ExitCode, $"gave up following pipeline run {run.Id} after {MaxFailures} failed polls: {ex.Message}", ex) { Status = ex.Status };
                }

                await notes.WriteLineAsync($"could not poll pipeline run {run.Id} ({ex.Message}); trying again");
            }
        }
    }
}
