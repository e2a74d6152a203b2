using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Clean-up at agent start, before the first hello: stops the child processes (and their children) that the
/// <see cref="AttemptLedger"/> says a previous run of the agent left running, deletes attempt work directories
/// but their <c>checkpoints</c>, and clears the ledger. The coordinator requeues every attempt the hello does not
/// report, so none of them is resumed here. Failures are logged; the agent starts regardless.
/// </summary>
internal sealed partial class LeftoverAttempts(
    AttemptLedger ledger,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<LeftoverAttempts> logger) : IHostedService
{
    /// <summary>The folder of an attempt's work directory that outlives the attempt, so a later one can resume.</summary>
    public const string CheckpointsFolder = "checkpoints";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CleanUpAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCleanUpFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var stillRunning = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in ledger.Entries)
        {
            try
            {
                if (!await StopAsync(record, cancellationToken))
                {
                    stillRunning.Add(Path.GetFullPath(record.WorkDirectory));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStopFailed(ex, record.JobId, record.Attempt, record.Pid);
                stillRunning.Add(Path.GetFullPath(record.WorkDirectory));
            }
        }

        DeleteWorkDirectories(Path.Combine(options.Value.DataDirectory, "jobs"), stillRunning);
        ledger.Clear();
    }

    /// <summary>Stops the attempt's process tree: SIGTERM to all of it, SIGKILL to what still runs after the grace
    /// period. False when something of it survived.</summary>
    private async Task<bool> StopAsync(AttemptRecord record, CancellationToken cancellationToken)
    {
        if (LinuxProcesses.Read(record.Pid) is not { IsGone: false } root)
        {
            LogAlreadyGone(record.JobId, record.Attempt, record.Pid);
            return true;
        }

        if (record.StartTicks == 0 || root.StartTicks != record.StartTicks)
        {
            LogPidReused(record.JobId, record.Attempt, record.Pid, record.StartTicks, root.StartTicks);
            return true;
        }

        // The tree is taken before any signal: a child whose parent died is re-parented and no longer findable.
        List<ProcessStat> tree = [root, .. LinuxProcesses.Descendants(root.Pid)];
        LogKilling(record.JobId, record.Attempt, record.Pid, tree.Count - 1, record.WorkDirectory);
        foreach (var process in tree)
        {
            LinuxProcesses.Signal(process.Pid, LinuxProcesses.SigTerm);
        }

        var deadline = time.GetUtcNow() + options.Value.CancelGracePeriod;
        while (tree.Exists(Runs) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(PollInterval, time, cancellationToken);
        }

        foreach (var process in tree.Where(Runs))
        {
            LinuxProcesses.Signal(process.Pid, LinuxProcesses.SigKill);
        }

        deadline = time.GetUtcNow() + TimeSpan.FromSeconds(1);
        while (tree.Exists(Runs) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(PollInterval, time, cancellationToken);
        }

        var survivors = tree.Count(Runs);
        if (survivors > 0)
        {
            LogSurvived(record.JobId, record.Attempt, survivors);
        }

        return survivors == 0;

        static bool Runs(ProcessStat process) => LinuxProcesses.IsRunning(process.Pid, process.StartTicks);
    }

    /// <summary>Deletes <c>jobs/&lt;job&gt;/attempt-&lt;n&gt;</c> directories not in <paramref name="keep"/>; of one
    /// that holds checkpoints, only everything beside its <c>checkpoints</c> folder.</summary>
    private void DeleteWorkDirectories(string jobsDirectory, IReadOnlySet<string> keep)
    {
        if (!Directory.Exists(jobsDirectory))
        {
            return;
        }

        foreach (var job in Directory.EnumerateDirectories(jobsDirectory))
        {
            foreach (var attempt in Directory.EnumerateDirectories(job, "attempt-*"))
            {
                if (keep.Contains(Path.GetFullPath(attempt)))
                {
                    continue;
                }

                try
                {
                    DeleteWorkDirectory(attempt);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogDeleteFailed(attempt, ex.Message);
                }
            }

            try
            {
                if (!Directory.EnumerateFileSystemEntries(job).Any())
                {
                    Directory.Delete(job);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(job, ex.Message);
            }
        }
    }

    private void DeleteWorkDirectory(string attempt)
    {
        var checkpoints = Path.Combine(attempt, CheckpointsFolder);
        if (!Directory.Exists(checkpoints) || !Directory.EnumerateFiles(checkpoints, "*", SearchOption.AllDirectories).Any())
        {
            Directory.Delete(attempt, recursive: true);
            LogDeleted(attempt);
            return;
        }

        foreach (var entry in new DirectoryInfo(attempt).EnumerateFileSystemInfos())
        {
            if (entry.Name == CheckpointsFolder)
            {
                continue;
            }

            if (entry is DirectoryInfo { LinkTarget: null } directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        LogKeptCheckpoints(attempt);
    }

    [LoggerMessage(EventId = 2311, Level = LogLevel.Information, Message = "Leftover job {JobId} attempt {Attempt}: process {Pid} is gone")]
    private partial void LogAlreadyGone(string jobId, int attempt, int pid);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Information, Message = "Leftover job {JobId} attempt {Attempt}: pid {Pid} started at tick {Actual}, not {Recorded}: another process, left alone")]
    private partial void LogPidReused(string jobId, int attempt, int pid, long recorded, long actual);

    [LoggerMessage(EventId = 2313, Level = LogLevel.Warning, Message = "Leftover job {JobId} attempt {Attempt}: process {Pid} and {Descendants} descendant(s) still run in {WorkDirectory}; stopping them")]
    private partial void LogKilling(string jobId, int attempt, int pid, int descendants, string workDirectory);

    [LoggerMessage(EventId = 2314, Level = LogLevel.Error, Message = "Leftover job {JobId} attempt {Attempt}: {Survivors} process(es) survived SIGKILL; its work directory is kept")]
    private partial void LogSurvived(string jobId, int attempt, int survivors);

    [LoggerMessage(EventId = 2315, Level = LogLevel.Error, Message = "Leftover job {JobId} attempt {Attempt}: could not stop process {Pid}")]
    private partial void LogStopFailed(Exception ex, string jobId, int attempt, int pid);

    [LoggerMessage(EventId = 2316, Level = LogLevel.Information, Message = "Deleted leftover work directory {Path}")]
    private partial void LogDeleted(string path);

    [LoggerMessage(EventId = 2317, Level = LogLevel.Information, Message = "Emptied leftover work directory {Path} but its checkpoints")]
    private partial void LogKeptCheckpoints(string path);

    [LoggerMessage(EventId = 2318, Level = LogLevel.Warning, Message = "Could not delete leftover work directory {Path}: {Reason}")]
    private partial void LogDeleteFailed(string path, string reason);

    [LoggerMessage(EventId = 2319, Level = LogLevel.Error, Message = "Clean-up of leftover attempts failed; the agent starts anyway")]
    private partial void LogCleanUpFailed(Exception ex);
}
