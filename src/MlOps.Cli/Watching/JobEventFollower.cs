using MlOps.Cli.Client;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Watching;

/// <summary>
/// Follows <c>WatchJob</c> until the job is finished. When the stream breaks, or ends while the job is still
/// going (a coordinator restart), it resumes from the last seq it saw after a pause that doubles up to 5 s;
/// events at or below that seq are dropped, so a resume never shows an event twice.
/// </summary>
internal sealed class JobEventFollower(MlOpsClient client, TimeProvider time, TimeSpan firstDelay)
{
    /// <summary>Consecutive failed resumes before giving up (about 40 s with the default delays).</summary>
    public const int MaxReconnects = 10;

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Returns the job as the coordinator has it once finished.</summary>
    public async Task<Job> FollowAsync(string jobId, long fromSeq, IWatchSink sink, CancellationToken cancellationToken)
    {
        var lastSeq = fromSeq;
        var failures = 0;
        var delay = firstDelay;
        while (true)
        {
            string reason;
            try
            {
                await foreach (var jobEvent in client.WatchJobAsync(jobId, lastSeq, cancellationToken))
                {
                    if (jobEvent.Seq <= lastSeq)
                    {
                        continue;
                    }

                    lastSeq = jobEvent.Seq;
                    failures = 0;
                    delay = firstDelay;
                    sink.OnEvent(jobEvent);
                }

                var job = await client.GetJobAsync(jobId, cancellationToken);
                if (Display.IsFinished(job.State))
                {
                    return job;
                }

                reason = $"the event stream ended while the job is {Display.State(job.State)}";
            }
            catch (CliException ex) when (ex.IsTransient)
            {
                reason = ex.Message;
            }

            if (++failures > MaxReconnects)
            {
                throw new CliException(ExitCodes.Unreachable, $"lost the event stream of job {jobId} and could not resume after {MaxReconnects} tries: {reason}");
            }

            sink.OnReconnecting(reason, delay, lastSeq);
            await Task.Delay(delay, time, cancellationToken);
            delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
        }
    }
}
