using MlOps.Cli.Client;
using MlOps.Contracts;

namespace MlOps.Cli.Retraining;

/// <summary>
/// Polls <c>GetRun</c> until the run is finished (PROMOTED, REJECTED, ROLLED_BACK or FAILED), handing each decision
/// to <c>onDecision</c> once, in order. A coordinator that cannot be reached for a moment (a restart, a failover) is
/// polled again after the same interval with a note on stderr; after <see cref="MaxFailures"/> failed polls in a row
/// it gives up with that error.
/// </summary>
internal static class RunWatch
{
    public const int MaxFailures = 10;

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Returns the run as the coordinator has it once finished; <paramref name="run"/> is the one already fetched.</summary>
    public static async Task<RetrainingRun> UntilFinishedAsync(MlOpsClient client, RetrainingRun run, Action<RetrainingDecision> onDecision,
        TextWriter notes, TimeProvider time, CancellationToken cancellationToken)
    {
        var shown = 0;
        var failures = 0;
        while (true)
        {
            for (; shown < run.Decisions.Count; shown++)
            {
                onDecision(run.Decisions[shown]);
            }

            if (RetrainingText.IsFinished(run.State))
            {
                return run;
            }

            await Task.Delay(PollInterval, time, cancellationToken);
            try
            {
                run = await client.GetRetrainingRunAsync(run.Id, cancellationToken);
                failures = 0;
            }
            catch (CliException ex) when (ex.IsTransient)
            {
                if (++failures >= MaxFailures)
                {
                    throw new CliException(ex.ExitCode, $"gave up following run {run.Id} after {MaxFailures} failed polls: {ex.Message}", ex) { Status = ex.Status };
                }

                await notes.WriteLineAsync($"could not poll run {run.Id} ({ex.Message}); trying again");
            }
        }
    }

    /// <summary>0 for a run that ended as designed (PROMOTED, REJECTED, ROLLED_BACK), 1 for FAILED.</summary>
    public static int ExitCode(RetrainingRun run) => run.State == RetrainingRunState.Failed ? ExitCodes.JobFailed : ExitCodes.Ok;
}
