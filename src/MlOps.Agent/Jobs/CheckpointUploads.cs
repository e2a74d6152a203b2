using Microsoft.Extensions.Logging;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// The checkpoint uploads of one attempt: one at a time, off the thread that reads the child's output, newest first.
/// A checkpoint that arrives while another uploads waits; a newer one replaces it (only the newest is worth resuming
/// from, and the trainer deletes older files anyway). Each upload that succeeds posts <see cref="JobCheckpointed"/>;
/// one that fails logs a warning and a job log line and never fails the job.
/// </summary>
internal sealed partial class CheckpointUploads(
    JobAssignment assignment,
    CheckpointPublisher publisher,
    IAgentOutbox outbox,
    Action<string> jobLog,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private LocalCheckpoint? _pending;
    private DateTimeOffset _pendingAt;
    private Task _worker = Task.CompletedTask;
    private bool _working;

    /// <summary>The newest checkpoint the child reported.</summary>
    public LocalCheckpoint? LastReported { get; private set; }

    /// <summary>The newest checkpoint pushed (and announced with <see cref="JobCheckpointed"/>).</summary>
    public CheckpointRef? LastUploaded { get; private set; }

    /// <summary>Why the upload of <see cref="LastReported"/> failed, or null.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Queues <paramref name="checkpoint"/>, replacing one that has not started uploading yet.</summary>
    public void Offer(LocalCheckpoint checkpoint)
    {
        lock (_gate)
        {
            if (_pending is { } stale)
            {
                LogSkipped(logger, assignment.JobId, assignment.Attempt, stale.GlobalStep, checkpoint.GlobalStep);
            }

            _pending = checkpoint;
            _pendingAt = time.GetUtcNow();
            LastReported = checkpoint;
            LastFailure = null;
            if (!_working)
            {
                _working = true;
                _worker = Task.Run(DrainAsync);
            }
        }
    }

    /// <summary>Completes when every checkpoint offered so far is uploaded or given up.</summary>
    public Task IdleAsync()
    {
        lock (_gate)
        {
            return _worker;
        }
    }

    /// <summary>Stops waiting uploads (agent shutting down); the one in flight is cancelled.</summary>
    public void Dispose() => _stopping.Cancel(); // Not disposed: a racing upload may still read its token.

    private async Task DrainAsync()
    {
        while (true)
        {
            LocalCheckpoint next;
            DateTimeOffset at;
            lock (_gate)
            {
                if (_pending is null || _stopping.IsCancellationRequested)
                {
                    _working = false;
                    return;
                }

                (next, at) = (_pending, _pendingAt);
                _pending = null;
            }

            await UploadAsync(next, at);
        }
    }

    private async Task UploadAsync(LocalCheckpoint checkpoint, DateTimeOffset createdAt)
    {
        CheckpointRef pushed;
        try
        {
            pushed = await publisher.PushAsync(assignment.JobId, assignment.Attempt, checkpoint, createdAt, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (FileNotFoundException) when (IsSuperseded(checkpoint))
        {
            return; // The trainer replaced the file before it was read; the newer one is next.
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                if (LastReported == checkpoint)
                {
                    LastFailure = ex.Message;
                }
            }

            LogUploadFailed(logger, assignment.JobId, assignment.Attempt, checkpoint.GlobalStep, ex.Message);
            jobLog($"could not upload checkpoint at epoch {checkpoint.Epoch} step {checkpoint.Step} (global step {checkpoint.GlobalStep}): {ex.Message}");
            return;
        }

        LastUploaded = pushed;
        LogUploaded(logger, assignment.JobId, assignment.Attempt, pushed.GlobalStep, pushed.Repository, pushed.ManifestDigest);
        outbox.Post(new AgentMessage
        {
            Checkpointed = new JobCheckpointed { JobId = assignment.JobId, Attempt = assignment.Attempt, Checkpoint = pushed },
        });
    }

    /// <summary>The trainer deletes a checkpoint file only after writing a newer one (whose line may still be on its way).</summary>
    private bool IsSuperseded(LocalCheckpoint checkpoint)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                return true;
            }
        }

        var directory = Path.GetDirectoryName(checkpoint.Path);
        return directory is not null && Directory.Exists(directory) &&
            Directory.EnumerateFiles(directory, "*" + Path.GetExtension(checkpoint.Path)).Any(f => f != checkpoint.Path);
    }

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt}: checkpoint at global step {GlobalStep} pushed to {Repository}@{Digest}")]
    private static partial void LogUploaded(ILogger logger, string jobId, int attempt, long globalStep, string repository, string digest);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: could not upload the checkpoint at global step {GlobalStep}: {Reason}")]
    private static partial void LogUploadFailed(ILogger logger, string jobId, int attempt, long globalStep, string reason);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Debug, Message = "Job {JobId} attempt {Attempt}: checkpoint at global step {Stale} skipped; {Newer} is newer")]
    private static partial void LogSkipped(ILogger logger, string jobId, int attempt, long stale, long newer);
}
