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
    public const int MaxFailures = Watching.RecordPoller.MaxFailures;

    /// <summary>Returns the run as the coordinator has it once finished; <paramref name="run"/> is the one already fetched.</summary>
    public static Task<RetrainingRun> UntilFinishedAsync(MlOpsClient client, RetrainingRun run, Action<RetrainingDecision> onDecision,
        TextWriter notes, TimeProvider time, CancellationToken cancellationToken)
    {
        var shown = 0;
        return Watching.RecordPoller.UntilFinishedAsync(run, r => RetrainingText.IsFinished(r.State),
            ct => client.GetRetrainingRunAsync(run.Id, ct),
            r =>
            {
                for (; shown < r.Decisions.Count; shown++)
                {
                    onDecision(r.Decisions[shown]);
                }
            },
            $"run {run.Id}", notes, time, cancellationToken);
    }

    /// <summary>0 for a run that ended as designed (PROMOTED, REJECTED, ROLLED_BACK), 1 for FAILED.</summary>
    public static int ExitCode(RetrainingRun run) => run.State == RetrainingRunState.Failed ? ExitCodes.JobFailed : ExitCodes.Ok;
}
