using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Artifacts;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Core.Paths;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Runs the attempts assigned to this agent, each in its own child process, and reports their progress
/// and outcome. A crash, hang or cancel of a job never takes the agent down.
/// </summary>
/// <remarks>
/// Before an attempt starts, the agent fetches what it needs: the dataset version (failing the attempt when it cannot),
/// the checkpoint to resume from (starting from scratch when it cannot: losing progress beats losing the attempt) and
/// the baseline model to compare with (training without the comparison when it cannot). A command job (a pipeline step)
/// gets its inputs fetched into its work directory first and its outputs pushed after it exits 0 (<see cref="CommandWorkspace"/>,
/// <see cref="CommandOutputs"/>).
/// A preemption gives the child <see cref="AgentOptions.CancelGracePeriod"/> × <see cref="PreemptGraceFactor"/> to
/// reach a step boundary, write its checkpoint and exit, since writing the model and optimizer state takes longer
/// than stopping.
/// </remarks>
internal sealed partial class JobSupervisor(
    IAgentOutbox outbox,
    IOptions<AgentOptions> options,
    IArtifactStore artifactStore,
    AttemptLedger ledger,
    TimeProvider time,
    ILogger<JobSupervisor> logger,
    MlOps.Agent.Session.CoordinatorLease? lease = null,
    MlOps.Agent.Inventory.GpuHealthMonitor? gpus = null) : IAsyncDisposable
{
    private readonly GpuPins _pins = new();
    private readonly ConcurrentDictionary<string, JobProcess> _running = new();
    private readonly ConcurrentDictionary<string, int> _preparing = new();
    private readonly LocalArtifactStore _artifacts = new(Path.Combine(options.Value.DataDirectory, "artifacts"));
    private readonly DatasetCache _datasets = new(Path.Combine(options.Value.DataDirectory, "datasets"), artifactStore);
    private readonly ModelPublisher _publisher = new(artifactStore);
    private readonly CheckpointPublisher _checkpoints = new(artifactStore);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>A preempted child gets this many cancel grace periods to checkpoint and exit before it is killed.</summary>
    public const int PreemptGraceFactor = 4;

    /// <summary>The attempts running now, for heartbeats and the hello after a reconnect.</summary>
    public IReadOnlyList<JobAttempt> Running =>
    [
        .. _running.Values.Select(p => new JobAttempt { JobId = p.JobId, Attempt = p.Attempt }),
        .. _preparing.Select(p => new JobAttempt { JobId = p.Key, Attempt = p.Value }),
    ];

    /// <summary>The child processes running now (not those still fetching), for the metrics page.</summary>
    public IReadOnlyList<JobProcess> Processes => [.. _running.Values];

    /// <summary>Fetches a registered dataset version, the checkpoint to resume from and the baseline model first when
    /// the assignment names them, then starts the process.</summary>
    public void Start(JobAssignment assignment)
    {
        if (SafePaths.ComponentProblem(assignment.JobId) is { } problem)
        {
            // The id names the attempt's directory (jobs/<id>/attempt-N): one that is not a plain name never becomes a path.
            LogJobIdRefused(assignment.JobId, problem);
            outbox.Post(new AgentMessage
            {
                Completed = new JobCompleted
                {
                    JobId = assignment.JobId,
                    Attempt = assignment.Attempt,
                    Outcome = JobOutcome.Failed,
                    Message = $"job id '{assignment.JobId}' cannot name a work directory: {problem}",
                    ExitCode = -1,
                },
            });
            return;
        }

        if (assignment.Spec?.Command is not null)
        {
            if (_preparing.TryAdd(assignment.JobId, assignment.Attempt))
            {
                _ = PrepareCommandAndStartAsync(assignment);
            }

            return;
        }

        var resume = !string.IsNullOrEmpty(assignment.ResumeFrom?.ManifestDigest);
        var baseline = !string.IsNullOrEmpty(assignment.Baseline?.ManifestDigest);
        if (string.IsNullOrEmpty(assignment.DatasetRepository) && !resume && !baseline)
        {
            StartProcess(assignment, []);
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
            if (!string.IsNullOrEmpty(assignment.DatasetRepository))
            {
                var directory = await _datasets.GetAsync(assignment.DatasetRepository, assignment.DatasetDigest, _stopping.Token);
                assignment.DatasetPath = directory;
            }
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            if (!_preparing.TryRemove(new KeyValuePair<string, int>(assignment.JobId, assignment.Attempt)))
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

        List<string> notes = [];
        if (!string.IsNullOrEmpty(assignment.ResumeFrom?.ManifestDigest) && !await FetchCheckpointAsync(assignment, notes))
        {
            return; // Agent shutting down.
        }

        if (!string.IsNullOrEmpty(assignment.Baseline?.ManifestDigest) && !await FetchBaselineAsync(assignment, notes))
        {
            return; // Agent shutting down.
        }

        // Whoever removes the entry owns the outcome: a cancel that came during the fetch removed it already.
        if (_preparing.TryRemove(new KeyValuePair<string, int>(assignment.JobId, assignment.Attempt)))
        {
            StartProcess(assignment, notes);
        }
    }

    /// <summary>A command job: fetches its inputs into the attempt's work directory (<see cref="CommandWorkspace"/>), then
    /// starts it; an input that cannot be fetched fails the attempt, naming it.</summary>
    private async Task PrepareCommandAndStartAsync(JobAssignment assignment)
    {
        try
        {
            await CommandWorkspace.At(WorkDirectory(assignment)).PrepareAsync(artifactStore, assignment.Spec.Command, _stopping.Token);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            if (!_preparing.TryRemove(new KeyValuePair<string, int>(assignment.JobId, assignment.Attempt)))
            {
                return; // Cancelled while fetching; the cancellation was already reported.
            }

            LogCommandInputsFailed(assignment.JobId, assignment.Attempt, ex.Message);
            outbox.Post(new AgentMessage
            {
                Completed = new JobCompleted
                {
                    JobId = assignment.JobId,
                    Attempt = assignment.Attempt,
                    Outcome = JobOutcome.Failed,
                    Message = ex.Message,
                    ExitCode = -1,
                },
            });
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_preparing.TryRemove(new KeyValuePair<string, int>(assignment.JobId, assignment.Attempt)))
        {
            StartProcess(assignment, []);
        }
    }

    /// <summary>Puts the resume checkpoint into the attempt's work directory and points <see cref="JobAssignment.ResumePath"/>
    /// at it; when that fails, adds a note for the job's log and leaves the path empty (start from scratch). False
    /// only when the agent is shutting down.</summary>
    private async Task<bool> FetchCheckpointAsync(JobAssignment assignment, List<string> notes)
    {
        var checkpoint = assignment.ResumeFrom;
        var path = Path.Combine(WorkDirectory(assignment), "resume", "checkpoint.ckpt");
        try
        {
            await _checkpoints.PullAsync(checkpoint, path, _stopping.Token);
            assignment.ResumePath = path;
            LogCheckpointFetched(assignment.JobId, assignment.Attempt, checkpoint.Repository, checkpoint.ManifestDigest, checkpoint.GlobalStep);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            assignment.ResumePath = "";
            LogCheckpointFetchFailed(assignment.JobId, assignment.Attempt, checkpoint.Repository, checkpoint.ManifestDigest, ex.Message);
            notes.Add($"could not fetch checkpoint {checkpoint.Repository}@{checkpoint.ManifestDigest} (epoch {checkpoint.Epoch} step {checkpoint.Step}): {ex.Message}; starting from scratch");
        }

        return true;
    }

    /// <summary>Pulls the baseline model into the attempt's work directory and points <see cref="JobAssignment.BaselinePath"/>
    /// at it, for the child to compare the trained model with; when that fails, adds a note for the job's log and leaves
    /// the path empty (the job trains without the comparison). False only when the agent is shutting down.</summary>
    private async Task<bool> FetchBaselineAsync(JobAssignment assignment, List<string> notes)
    {
        var baseline = assignment.Baseline;
        var directory = Path.Combine(WorkDirectory(assignment), "baseline");
        try
        {
            var pulled = await artifactStore.PullModelAsync(baseline.Repository, baseline.ManifestDigest, directory, _stopping.Token);
            assignment.BaselinePath = pulled.Directory;
            LogBaselineFetched(assignment.JobId, assignment.Attempt, baseline.Model, baseline.Version, baseline.Repository, baseline.ManifestDigest);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            assignment.BaselinePath = "";
            LogBaselineFetchFailed(assignment.JobId, assignment.Attempt, baseline.Model, baseline.Version, baseline.Repository, baseline.ManifestDigest, ex.Message);
            notes.Add($"could not fetch baseline {baseline.Model} v{baseline.Version} ({baseline.Repository}@{baseline.ManifestDigest}): {ex.Message}; training without the comparison");
        }

        return true;
    }

    private string WorkDirectory(JobAssignment assignment) =>
        Path.Combine(options.Value.DataDirectory, "jobs", assignment.JobId, $"attempt-{assignment.Attempt}");

    private void StartProcess(JobAssignment assignment, IReadOnlyList<string> notes)
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

        var workDirectory = WorkDirectory(assignment);
        if (PinGpus(assignment) is not { } pinned)
        {
            return;
        }

        JobProcess process;
        try
        {
            process = assignment.Spec.Command is null
                ? JobProcess.Start(assignment, workDirectory, outbox, time, options.Value.LogBatchSize, _checkpoints, logger, notes, pinned)
                : JobProcess.StartCommand(assignment, CommandWorkspace.At(workDirectory), outbox, time, options.Value.LogBatchSize, logger, notes, pinned);
        }
        catch (Exception ex)
        {
            _pins.Release(assignment.JobId, assignment.Attempt);
            LogStartFailed(ex, assignment.JobId, assignment.Attempt);
            outbox.Post(new AgentMessage
            {
                Completed = new JobCompleted
                {
                    JobId = assignment.JobId,
                    Attempt = assignment.Attempt,
                    Outcome = JobOutcome.Failed,
                    Message = (assignment.Spec.Command is null ? "could not start the training process: " : "could not start the command: ") + ex.Message,
                    ExitCode = -1,
                },
            });
            return;
        }

        _running[assignment.JobId] = process;
        EnsureLeasePushes();
        if (lease?.Remaining is { } remaining && remaining > TimeSpan.Zero)
        {
            // At once rather than at the next push: an agent frozen in the next second must not leave a child that
            // never heard of a lease, and so never stops (the line waits in the pipe until the child reads it).
            _ = process.SendLeaseAsync(remaining);
        }

        ledger.Started(assignment.JobId, assignment.Attempt, process.ProcessId, workDirectory);
        LogStarted(assignment.JobId, assignment.Attempt, process.ProcessId, workDirectory);
        var started = new JobStarted { JobId = assignment.JobId, Attempt = assignment.Attempt, Pid = process.ProcessId };
        started.GpuUuids.AddRange(pinned);
        outbox.Post(new AgentMessage { Started = started });
        _ = SuperviseAsync(process);
    }

    /// <summary>The GPUs the attempt gets (none for a CPU job), or null after failing the attempt because this agent has
    /// not that many healthy GPUs free: the coordinator counts only healthy GPUs, so that means their state changed
    /// since it placed the job.</summary>
    private IReadOnlyList<string>? PinGpus(JobAssignment assignment)
    {
        var wanted = assignment.Spec.Resources?.Gpus ?? 0;
        if (wanted <= 0)
        {
            return [];
        }

        var (uuids, problem) = _pins.Pin(assignment.JobId, assignment.Attempt, wanted, gpus?.Read() ?? []);
        if (uuids is not null)
        {
            return uuids;
        }

        LogGpusUnavailable(assignment.JobId, assignment.Attempt, problem ?? "");
        outbox.Post(new AgentMessage
        {
            Completed = new JobCompleted
            {
                JobId = assignment.JobId,
                Attempt = assignment.Attempt,
                Outcome = JobOutcome.Failed,
                Message = "could not start: " + problem,
                ExitCode = -1,
            },
        });
        return null;
    }

    private int _leasePushes;

    /// <summary>
    /// Once the coordinator grants leases: every second, tells each training process how long the agent's lease has
    /// left, so it stops by itself when the agent stops hearing from the coordinator, frozen or cut off (docs/agent-protocol.md).
    /// </summary>
    private void EnsureLeasePushes()
    {
        if (lease is null || Interlocked.Exchange(ref _leasePushes, 1) == 1)
        {
            return;
        }

        _ = PushLeasesAsync(lease, _stopping.Token);
    }

    private async Task PushLeasesAsync(MlOps.Agent.Session.CoordinatorLease coordinatorLease, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(LeasePushInterval, time);
        try
        {
            do
            {
                if (coordinatorLease.Remaining is { } remaining && remaining > TimeSpan.Zero)
                {
                    foreach (var process in _running.Values)
                    {
                        await process.SendLeaseAsync(remaining);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>How often training processes hear the lease's remaining time.</summary>
    internal static readonly TimeSpan LeasePushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Stops an attempt. With <paramref name="preempt"/> the child first writes a checkpoint, which is pushed
    /// (and announced) before the attempt completes as <see cref="JobOutcome.Preempted"/>.</summary>
    public void Cancel(string jobId, int attempt, string reason, bool preempt = false)
    {
        if (_preparing.TryGetValue(jobId, out var preparing) && (attempt == 0 || preparing == attempt) &&
            _preparing.TryRemove(new KeyValuePair<string, int>(jobId, preparing)))
        {
            LogCancelling(jobId, preparing, reason, preempt);
            outbox.Post(new AgentMessage
            {
                Completed = preempt
                    ? new JobCompleted { JobId = jobId, Attempt = preparing, Outcome = JobOutcome.Preempted, Message = $"preempted: {reason}; stopped before training started" }
                    : new JobCompleted { JobId = jobId, Attempt = preparing, Outcome = JobOutcome.Cancelled, Message = "cancelled before training started, while fetching its inputs" },
            });
            return;
        }

        if (_running.TryGetValue(jobId, out var process) && (attempt == 0 || process.Attempt == attempt))
        {
            LogCancelling(jobId, process.Attempt, reason, preempt);
            _ = preempt
                ? process.PreemptAsync(reason, options.Value.CancelGracePeriod * PreemptGraceFactor)
                : process.CancelAsync(options.Value.CancelGracePeriod);
            return;
        }

        // Not running here (finished meanwhile, or never started): tell the coordinator so it can settle the job. A
        // preemption answers Preempted, so the coordinator requeues the job rather than cancelling it.
        outbox.Post(new AgentMessage
        {
            Completed = new JobCompleted
            {
                JobId = jobId,
                Attempt = attempt,
                Outcome = preempt ? JobOutcome.Preempted : JobOutcome.Cancelled,
                Message = preempt ? $"preempted: {reason}; not running on this agent, no checkpoint was saved at stop" : "not running on this agent",
            },
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
            if (completed.Outcome == JobOutcome.Succeeded && process.Assignment.Spec.Command is { } command)
            {
                var workspace = CommandWorkspace.At(WorkDirectory(process.Assignment));
                completed.Result.Outputs.Add(await CommandOutputs.PushAsync(artifactStore, command, workspace, _stopping.Token));
                foreach (var output in completed.Result.Outputs)
                {
                    LogOutputPushed(process.JobId, output.Name, output.Repository, output.ManifestDigest);
                }
            }
            else if (completed.Outcome == JobOutcome.Succeeded)
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
            _pins.Release(process.JobId, process.Attempt);
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

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Job {JobId}: refused, its id cannot name a work directory: {Reason}")]
    private partial void LogJobIdRefused(string jobId, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} started as process {Pid} in {WorkDirectory}")]
    private partial void LogStarted(string jobId, int attempt, int pid, string workDirectory);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Job {JobId} attempt {Attempt} could not start")]
    private partial void LogStartFailed(Exception ex, string jobId, int attempt);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} finished: {Outcome} (exit code {ExitCode}) {Message}")]
    private partial void LogCompleted(string jobId, int attempt, JobOutcome outcome, int exitCode, string message);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Cancelling job {JobId} attempt {Attempt} (preempt: {Preempt}): {Reason}")]
    private partial void LogCancelling(string jobId, int attempt, string reason, bool preempt);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt}: resuming from checkpoint {Repository}@{Digest} (global step {GlobalStep})")]
    private partial void LogCheckpointFetched(string jobId, int attempt, string repository, string digest, long globalStep);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: could not fetch checkpoint {Repository}@{Digest}; starting from scratch: {Reason}")]
    private partial void LogCheckpointFetchFailed(string jobId, int attempt, string repository, string digest, string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt}: baseline {Model} v{Version} pulled from {Repository}@{Digest}")]
    private partial void LogBaselineFetched(string jobId, int attempt, string model, int version, string repository, string digest);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: could not fetch baseline {Model} v{Version} ({Repository}@{Digest}); training without the comparison: {Reason}")]
    private partial void LogBaselineFetchFailed(string jobId, int attempt, string model, int version, string repository, string digest, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Job {JobId}: could not fetch dataset {Repository}@{Digest}: {Reason}")]
    private partial void LogDatasetFailed(string jobId, string repository, string digest, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Job {JobId}: model pushed to {Repository}@{Digest}")]
    private partial void LogPublished(string jobId, string repository, string digest);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: command inputs not fetched: {Reason}")]
    private partial void LogCommandInputsFailed(string jobId, int attempt, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information, Message = "Job {JobId}: output {Output} pushed to {Repository}@{Digest}")]
    private partial void LogOutputPushed(string jobId, string output, string repository, string digest);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Job {JobId}: attempt {OldAttempt} superseded by attempt {NewAttempt}; killing the old process")]
    private partial void LogSupersededAttempt(string jobId, int oldAttempt, int newAttempt);

    [LoggerMessage(EventId = 2033, Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: GPUs not available: {Reason}")]
    private partial void LogGpusUnavailable(string jobId, int attempt, string reason);
}
