using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Worker;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// One attempt of one job running in a child process. Turns the child's output into messages for the
/// coordinator (progress, metrics, batched log lines), its checkpoints into uploads (<see cref="CheckpointUploads"/>)
/// and its exit into a <see cref="JobCompleted"/>, posted only after the last checkpoint's upload has finished.
/// </summary>
internal sealed partial class JobProcess : IAsyncDisposable
{
    private readonly JobAssignment _assignment;
    private readonly IAgentOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly int _logBatchSize;
    private readonly List<LogLine> _pendingLogs = [];
    private readonly Lock _logGate = new();
    private readonly Process _process;
    private readonly TaskCompletionSource _stdoutDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lastErrors = [];
    private readonly StreamWriter? _log;
    private readonly CheckpointUploads? _checkpoints;
    private JobResult? _result;
    private volatile bool _cancelRequested;
    private volatile string? _preemptReason;
    private volatile bool _preemptKilled;
    private readonly ChildKind _kind;
    private readonly TimeSpan? _timeout;
    private ITimer? _watchdog;
    private long _leaseDeadlineTicks = long.MaxValue;
    private volatile bool _timedOut;
    private volatile bool _leaseExpired;

    private JobProcess(JobAssignment assignment, Process process, IAgentOutbox outbox, TimeProvider time, int logBatchSize,
        CheckpointPublisher? checkpoints, ILogger logger, ChildKind kind = ChildKind.Training)
    {
        _assignment = assignment;
        _process = process;
        _outbox = outbox;
        _time = time;
        _logBatchSize = logBatchSize;
        _kind = kind;
        var seconds = assignment.Spec.Command?.TimeoutSeconds ?? 0;
        _timeout = seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        LogPath = Path.Combine(process.StartInfo.WorkingDirectory, kind == ChildKind.Training ? "train.log" : "command.log");
        _log = new StreamWriter(LogPath, append: true) { AutoFlush = false };
        _checkpoints = checkpoints is null
            ? null
            : new CheckpointUploads(assignment, checkpoints, outbox, line => AddLog(LogStream.Stderr, line), time, logger);
    }

    /// <summary>The job's stdout and stderr as a file (also published with the model).</summary>
    public string LogPath { get; }

    /// <summary>What the coordinator asked this process to run (spec, dataset, where to publish the model).</summary>
    public JobAssignment Assignment => _assignment;

    public string JobId => _assignment.JobId;

    public int Attempt => _assignment.Attempt;

    public int ProcessId => _process.Id;

    public bool CancelRequested => _cancelRequested;

    /// <summary>The training progress the child reported last (null before its first report); for the metrics page.</summary>
    public TrainingProgress? LastProgress { get; private set; }

    /// <summary>Starts the child. <paramref name="workDirectory"/> holds the assignment file and the output;
    /// <paramref name="checkpoints"/> pushes the checkpoints the child reports (null: they are only logged);
    /// <paramref name="notes"/> go into the job's log before the child's own lines (e.g. why it starts without a
    /// checkpoint); <paramref name="gpuUuids"/> are the GPUs pinned to it (<c>CUDA_VISIBLE_DEVICES</c>).</summary>
    public static JobProcess Start(JobAssignment assignment, string workDirectory, IAgentOutbox outbox, TimeProvider time, int logBatchSize,
        CheckpointPublisher? checkpoints = null, ILogger? logger = null, IReadOnlyList<string>? notes = null, IReadOnlyList<string>? gpuUuids = null)
    {
        Directory.CreateDirectory(workDirectory);
        var outputDirectory = Path.Combine(workDirectory, "output");
        Directory.CreateDirectory(outputDirectory);
        var assignmentPath = Path.Combine(workDirectory, "assignment.pb");
        File.WriteAllBytes(assignmentPath, assignment.ToByteArray());

        var (fileName, leading) = ChildCommand.ForTraining();
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in leading)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.ArgumentList.Add("--assignment");
        startInfo.ArgumentList.Add(assignmentPath);
        startInfo.ArgumentList.Add("--output");
        startInfo.ArgumentList.Add(outputDirectory);

        return Launch(assignment, startInfo, outbox, time, logBatchSize, checkpoints, logger, notes, ChildKind.Training, gpuUuids);
    }

    private static JobProcess Launch(JobAssignment assignment, ProcessStartInfo startInfo, IAgentOutbox outbox, TimeProvider time, int logBatchSize,
        CheckpointPublisher? checkpoints, ILogger? logger, IReadOnlyList<string>? notes, ChildKind kind, IReadOnlyList<string>? gpuUuids)
    {
        var threads = Math.Max(1, assignment.Spec.Resources?.CpuCores ?? 1);
        startInfo.Environment["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if ((assignment.Spec.Resources?.Gpus ?? 0) == 0)
        {
            // A CPU job must not grab a GPU by accident.
            startInfo.Environment["CUDA_VISIBLE_DEVICES"] = "";
        }
        else if (gpuUuids is { Count: > 0 })
        {
            // By UUID: NVML's indices need not match CUDA's device order, UUIDs name the same board for both.
            startInfo.Environment["CUDA_VISIBLE_DEVICES"] = string.Join(',', gpuUuids);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var job = new JobProcess(assignment, process, outbox, time, logBatchSize, checkpoints, logger ?? NullLogger.Instance, kind);
        foreach (var note in notes ?? [])
        {
            job.AddLog(LogStream.Stderr, note);
        }

        process.OutputDataReceived += (_, e) => job.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => job.OnStderr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (kind == ChildKind.Program)
        {
            // Nothing is ever written to a plain program's stdin: it reads end of input, never waits on the agent.
            process.StandardInput.Close();
        }

        job.StartWatchdog();
        return job;
    }

    /// <summary>Asks the child to stop; kills it (and anything it started) after <paramref name="grace"/>.</summary>
    public async Task CancelAsync(TimeSpan grace)
    {
        _cancelRequested = true;
        await StopAsync(ChildProtocol.CancelCommand, grace, preempt: false);
    }

    /// <summary>Asks the child to checkpoint and stop; kills it after <paramref name="grace"/>. The attempt then
    /// completes as <see cref="JobOutcome.Preempted"/> (or <see cref="JobOutcome.Succeeded"/> if it finished first).</summary>
    public async Task PreemptAsync(string reason, TimeSpan grace)
    {
        _preemptReason = string.IsNullOrWhiteSpace(reason) ? "preempted by the coordinator" : reason;
        await StopAsync(ChildProtocol.PreemptCommand, grace, preempt: true);
    }

    /// <summary>Passes the agent's remaining lease to the child (<c>lease MS</c>); ignored once the child has exited. A
    /// plain program cannot read it: the agent stops that one itself when the lease runs out (see <see cref="StartWatchdog"/>).</summary>
    public async Task SendLeaseAsync(TimeSpan remaining)
    {
        if (_kind == ChildKind.Program)
        {
            Interlocked.Exchange(ref _leaseDeadlineTicks, (_time.GetUtcNow() + remaining).UtcTicks);
            return;
        }

        await WriteCommandAsync(ChildProtocol.Lease(remaining));
    }

    /// <summary>One line to the child's stdin; lease updates and stop commands come from different threads.</summary>
    private async Task WriteCommandAsync(string line)
    {
        await _stdinGate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The child already exited.
        }
        finally
        {
            _stdinGate.Release();
        }
    }

    private readonly SemaphoreSlim _stdinGate = new(1, 1);

    /// <summary>Writes <paramref name="command"/> to the child and kills it if it has not exited after <paramref name="grace"/>.</summary>
    private async Task StopAsync(string command, TimeSpan grace, bool preempt)
    {
        if (_kind == ChildKind.Program)
        {
            // A plain program hears no commands: SIGTERM is its cue to stop (and a preemption cannot keep its progress).
            LinuxProcesses.Signal(_process.Id, LinuxProcesses.SigTerm);
        }
        else
        {
            await WriteCommandAsync(command);
        }

        using var timeout = new CancellationTokenSource(grace, _time);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Set before the kill, so WaitAsync (woken by the exit) already sees it.
            _preemptKilled |= preempt;
            KillTree();
        }
    }

    /// <summary>Waits for the child to exit and for its output to be drained, then builds the completion.</summary>
    public async Task<JobCompleted> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        _watchdog?.Dispose();
        await Task.WhenAll(_stdoutDone.Task, _stderrDone.Task).WaitAsync(TimeSpan.FromSeconds(10), _time, cancellationToken);
        if (_checkpoints is not null)
        {
            // Every JobCheckpointed goes out before the JobCompleted, so the coordinator resumes the next attempt
            // from the newest checkpoint this one saved.
            await _checkpoints.IdleAsync().WaitAsync(cancellationToken);
        }

        FlushLogs();
        lock (_logGate)
        {
            _log?.Flush();
        }

        var exitCode = _process.ExitCode;
        var completed = new JobCompleted { JobId = JobId, Attempt = Attempt, ExitCode = exitCode };
        var stoppedByAgent = _timedOut || _leaseExpired;
        if (exitCode == ChildProtocol.ExitCodes.Succeeded && !stoppedByAgent && (_result is not null || _kind == ChildKind.Program))
        {
            completed.Outcome = JobOutcome.Succeeded;
            completed.Result = _result ?? new JobResult();
        }
        else if (_cancelRequested)
        {
            completed.Outcome = JobOutcome.Cancelled;
            completed.Message = "cancelled";
        }
        else if (_preemptReason is { } reason)
        {
            completed.Outcome = JobOutcome.Preempted;
            completed.Message = DescribePreemption(reason, exitCode);
        }
        else if (_timedOut)
        {
            completed.Outcome = JobOutcome.Failed;
            completed.Message = $"timed out after {_timeout?.TotalSeconds:0} s: killed ({DescribeFailure(exitCode)})";
        }
        else if (_leaseExpired)
        {
            completed.Outcome = JobOutcome.Failed;
            completed.Message = "command stopped by the agent: its lease with the coordinator ran out, so the job may already run elsewhere";
        }
        else
        {
            completed.Outcome = JobOutcome.Failed;
            completed.Message = DescribeFailure(exitCode);
        }

        return completed;
    }

    public void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _watchdog?.Dispose();
        _checkpoints?.Dispose();
        _process.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private string DescribePreemption(string reason, int exitCode)
    {
        var reported = _checkpoints?.LastReported;
        var uploaded = _checkpoints?.LastUploaded;
        if (exitCode == ChildProtocol.ExitCodes.Preempted && !_preemptKilled && reported is not null)
        {
            return uploaded is not null && uploaded.GlobalStep == reported.GlobalStep
                ? $"preempted: {reason}; checkpoint at epoch {reported.Epoch} step {reported.Step}"
                : $"preempted: {reason}; the checkpoint at epoch {reported.Epoch} step {reported.Step} could not be uploaded: {_checkpoints?.LastFailure ?? "unknown error"}";
        }

        var how = _preemptKilled ? "killed after the grace period" : DescribeFailure(exitCode);
        var earlier = uploaded is null ? "" : $"; newest checkpoint at epoch {uploaded.Epoch} step {uploaded.Step}";
        return $"preempted: {reason}; no checkpoint was saved at stop ({how}){earlier}";
    }

    private string DescribeFailure(int exitCode)
    {
        string[] tail;
        lock (_logGate)
        {
            tail = [.. _lastErrors];
        }

        var kind = _kind switch
        {
            ChildKind.Program => exitCode > 128 ? $"command killed by signal {exitCode - 128}" : "command failed",
            ChildKind.Step => DescribeStepExit(exitCode),
            _ => DescribeTrainingExit(exitCode),
        };
        var detail = tail.Length == 0 ? "" : ": " + string.Join(" | ", tail);
        return $"{kind} (exit code {exitCode}){detail}";
    }

    private static string DescribeTrainingExit(int exitCode)
    {
        var kind = exitCode switch
        {
            ChildProtocol.ExitCodes.InvalidSpec => "invalid job",
            ChildProtocol.ExitCodes.InvalidData => "invalid dataset",
            ChildProtocol.ExitCodes.Succeeded => "training process exited without a result",
            ChildProtocol.ExitCodes.Failed => "training failed",
            ChildProtocol.ExitCodes.Preempted => "training stopped for a preemption",
            ChildProtocol.ExitCodes.LeaseExpired => "training stopped itself: the agent's lease with the coordinator ran out, so the job may already run elsewhere",
            _ when exitCode > 128 => $"training process killed by signal {exitCode - 128}",
            _ => "training process crashed",
        };
        return kind;
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdoutDone.TrySetResult();
            return;
        }

        var message = ChildProtocol.Parse(line);
        if (_kind == ChildKind.Program && message is JobResult or LocalCheckpoint)
        {
            // A plain program may report progress and metrics, but never a result or a checkpoint for the agent to push.
            message = null;
        }

        switch (message)
        {
            case TrainingProgress progress:
                LastProgress = progress;
                FlushLogs();
                _outbox.Post(new AgentMessage { Progress = new JobProgressUpdate { JobId = JobId, Attempt = Attempt, Progress = progress } });
                break;
            case MetricsReport metrics:
                FlushLogs();
                _outbox.Post(new AgentMessage { Metrics = new JobMetricsUpdate { JobId = JobId, Attempt = Attempt, Metrics = metrics } });
                break;
            case JobResult result:
                _result = result;
                break;
            case LocalCheckpoint checkpoint:
                AddLog(LogStream.Stdout,
                    $"checkpoint at epoch {checkpoint.Epoch} step {checkpoint.Step} (global step {checkpoint.GlobalStep}): {checkpoint.Path}, {checkpoint.Bytes} bytes, {checkpoint.Digest}");
                _checkpoints?.Offer(checkpoint);
                break;
            default:
                AddLog(LogStream.Stdout, line);
                break;
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrDone.TrySetResult();
            return;
        }

        lock (_logGate)
        {
            if (line.Trim().Length > 0)
            {
                _lastErrors.Add(line.Length > 500 ? line[..500] : line);
                if (_lastErrors.Count > 3)
                {
                    _lastErrors.RemoveAt(0);
                }
            }
        }

        AddLog(LogStream.Stderr, line);
    }

    private void AddLog(LogStream stream, string text)
    {
        bool flush;
        lock (_logGate)
        {
            var now = _time.GetUtcNow();
            _pendingLogs.Add(new LogLine { Stream = stream, Text = text, Time = Timestamp.FromDateTimeOffset(now) });
            _log?.WriteLine($"{now:O} {(stream == LogStream.Stderr ? "E" : "O")} {text}");
            flush = _pendingLogs.Count >= _logBatchSize;
        }

        if (flush)
        {
            FlushLogs();
        }
    }

    /// <summary>Sends pending log lines; called on batch size, before structured events and at exit.</summary>
    public void FlushLogs()
    {
        JobLogBatch batch;
        lock (_logGate)
        {
            if (_pendingLogs.Count == 0)
            {
                return;
            }

            batch = new JobLogBatch { JobId = JobId, Attempt = Attempt };
            batch.Lines.AddRange(_pendingLogs);
            _pendingLogs.Clear();
        }

        _outbox.Post(new AgentMessage { Logs = batch });
    }
}

/// <summary>What a <see cref="JobProcess"/> runs: the training child, the built-in step child (both speak
/// <see cref="ChildProtocol"/>), or a command job's own program (which does not).</summary>
internal enum ChildKind
{
    Training,
    Step,
    Program,
}
