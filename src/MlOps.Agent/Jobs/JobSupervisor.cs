using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Artifacts;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Runs the attempts assigned to this agent, each in its own child process, and reports their progress
/// and outcome. A crash, hang or cancel of a job never takes the agent down.
/// </summary>
internal sealed partial class JobSupervisor(
    IAgentOutbox outbox,
    IOptions<AgentOptions> options,
    IArtifactStore artifactStore,
    AttemptLedger ledger,
    TimeProvider time,
    ILogger<JobSupervisor> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JobProcess> _running = new();
    private readonly ConcurrentDictionary<string, int> _preparing = new();
    private readonly LocalArtifactStore _artifacts = new(Path.Combine(options.Value.DataDirectory, "artifacts"));
    private readonly DatasetCache _datasets = new(Path.Combine(options.Value.DataDirectory, "datasets"), artifactStore);
    private readonly ModelPublisher _publisher = new(artifactStore);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The attempts running now, for heartbeats and the hello after a reconnect.</summary>
    public IReadOnlyList<JobAttempt> Running =>
    [
        .. _running.Values.Select(p => new JobAttempt { JobId = p.JobId, Attempt = p.Attempt }),
        .. _preparing.Select(p => new JobAttempt { JobId = p.Key, Attempt = p.Value }),
    ];

    /// <summary>Fetches a registered dataset version first when the assignment names one, then starts the process.</summary>
    public void Start(JobAssignment assignment)
    {
        if (string.IsNullOrEmpty(assignment.DatasetRepository))
        {
            StartProcess(assignment);
            return;
        }

        if (!_preparing.TryAdd(assignment.JobId, assignment.Attempt))
        {
            return; // Already fetching its data.
        }

        _ = PrepareAndStartAsync(assignment);
    }

    private async Task PrepareAndStartAsync(JobAssignment assignment)
    {
        try
        {
            var directory = await _datasets.GetAsync(assignment.DatasetRepository, assignment.DatasetDigest, _stopping.Token);
            assignment.DatasetPath = directory;
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            if (!_preparing.TryRemove(assignment.JobId, out _))
            {
                return; // Cancelled while fetching; the cancellation was already reported.
            }

            LogDatasetFailed(assignment.JobId, assignment.DatasetRepository, assignment.DatasetDigest, ex.Message);
            outbox.Post(new AgentMessage
            {
                Completed = new JobCompleted
                {
                    JobId = assignment.JobId,
                    Attempt = assignment.Attempt,
                    Outcome = JobOutcome.Failed,
                    Message = $"could not fetch dataset {assignment.DatasetRepository}@{assignment.DatasetDigest}: {ex.Message}",
                    ExitCode = -1,
                },
            });
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // Whoever removes the entry owns the outcome: a cancel that came during the fetch removed it already.
        if (_preparing.TryRemove(assignment.JobId, out _))
        {
            StartProcess(assignment);
        }
    }

    private void StartProcess(JobAssignment assignment)
    {
        if (_running.TryGetValue(assignment.JobId, out var existing))
        {
            if (existing.Attempt == assignment.Attempt)
            {
                return; // Duplicate delivery.
            }

            LogSupersededAttempt(assignment.JobId, existing.Attempt, assignment.Attempt);
            existing.KillTree();
        }

        var workDirectory = Path.Combine(options.Value.DataDirectory, "jobs", assignment.JobId, $"attempt-{assignment.Attempt}");
        JobProcess process;
        try
        {
            process = JobProcess.Start(assignment, workDirectory, outbox, time, options.Value.LogBatchSize);
        }
        catch (Exception ex)
        {
            LogStartFailed(ex, assignment.JobId, assignment.Attempt);
            outbox.Post(new AgentMessage
            {
                Completed = new JobCompleted
                {
                    JobId = assignment.JobId,
                    Attempt = assignment.Attempt,
                    Outcome = JobOutcome.Failed,
                    Message = "could not start the training process: " + ex.Message,
                    ExitCode = -1,
                },
            });
            return;
        }

        _running[assignment.JobId] = process;
        ledger.Started(assignment.JobId, assignment.Attempt, process.ProcessId, workDirectory);
        LogStarted(assignment.JobId, assignment.Attempt, process.ProcessId, workDirectory);
        outbox.Post(new AgentMessage { Started = new JobStarted { JobId = assignment.JobId, Attempt = assignment.Attempt, Pid = process.ProcessId } });
        _ = SuperviseAsync(process);
    }

    public void Cancel(string jobId, int attempt, string reason)
    {
        if (_preparing.TryGetValue(jobId, out var preparing) && (attempt == 0 || preparing == attempt) &&
            _preparing.TryRemove(new KeyValuePair<string, int>(jobId, preparing)))
        {
            LogCancelling(jobId, preparing, reason);
            outbox.Post(new AgentMessage
            {
                Completed = new JobCompleted { JobId = jobId, Attempt = preparing, Outcome = JobOutcome.Cancelled, Message = "cancelled while fetching its dataset" },
            });
            return;
        }

        if (_running.TryGetValue(jobId, out var process) && (attempt == 0 || process.Attempt == attempt))
        {
            LogCancelling(jobId, process.Attempt, reason);
            _ = process.CancelAsync(options.Value.CancelGracePeriod);
            return;
        }

        // Not running here (finished meanwhile, or never started): tell the coordinator so it can settle the job.
        outbox.Post(new AgentMessage
        {
            Completed = new JobCompleted { JobId = jobId, Attempt = attempt, Outcome = JobOutcome.Cancelled, Message = "not running on this agent" },
        });
    }

    private async Task SuperviseAsync(JobProcess process)
    {
        using var flushTimer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var flushing = FlushLogsAsync(process, flushTimer, _stopping.Token);
        JobCompleted completed;
        try
        {
            completed = await process.WaitAsync(_stopping.Token);
            if (completed.Outcome == JobOutcome.Succeeded)
            {
                var weightsPath = completed.Result.WeightsUri;
                if (!string.IsNullOrEmpty(process.Assignment.ModelRepository))
                {
                    await _publisher.PublishAsync(process.Assignment, completed.Result, Path.GetDirectoryName(weightsPath)!, weightsPath, process.LogPath, _stopping.Token);
                    LogPublished(process.JobId, completed.Result.ModelRepository, completed.Result.ModelManifestDigest);
                }

                completed.Result.WeightsUri = "file://" + await _artifacts.AddAsync(weightsPath, completed.Result.WeightsSha256, _stopping.Token);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return; // Agent shutting down; the coordinator requeues the job when our lease runs out.
        }
        catch (Exception ex)
        {
            completed = new JobCompleted
            {
                JobId = process.JobId,
                Attempt = process.Attempt,
                Outcome = JobOutcome.Failed,
                Message = "could not collect or publish the job's output: " + ex.Message,
            };
        }
        finally
        {
            flushTimer.Dispose();
            await flushing;
            _running.TryRemove(new KeyValuePair<string, JobProcess>(process.JobId, process));
            ledger.Ended(process.JobId, process.Attempt);
            await process.DisposeAsync();
        }

        LogCompleted(process.JobId, process.Attempt, completed.Outcome, completed.ExitCode, completed.Message);
        outbox.Post(new AgentMessage { Completed = completed });
    }

    private static async Task FlushLogsAsync(JobProcess process, PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                process.FlushLogs();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var process in _running.Values)
        {
            process.KillTree();
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} started as process {Pid} in {WorkDirectory}")]
    private partial void LogStarted(string jobId, int attempt, int pid, string workDirectory);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Job {JobId} attempt {Attempt} could not start")]
    private partial void LogStartFailed(Exception ex, string jobId, int attempt);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} finished: {Outcome} (exit code {ExitCode}) {Message}")]
    private partial void LogCompleted(string jobId, int attempt, JobOutcome outcome, int exitCode, string message);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Cancelling job {JobId} attempt {Attempt}: {Reason}")]
    private partial void LogCancelling(string jobId, int attempt, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Job {JobId}: could not fetch dataset {Repository}@{Digest}: {Reason}")]
    private partial void LogDatasetFailed(string jobId, string repository, string digest, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Job {JobId}: model pushed to {Repository}@{Digest}")]
    private partial void LogPublished(string jobId, string repository, string digest);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Job {JobId}: attempt {OldAttempt} superseded by attempt {NewAttempt}; killing the old process")]
    private partial void LogSupersededAttempt(string jobId, int oldAttempt, int newAttempt);
}
