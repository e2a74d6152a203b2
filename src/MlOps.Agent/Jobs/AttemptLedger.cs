using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace MlOps.Agent.Jobs;

/// <summary>One attempt's child process as the ledger keeps it. <c>StartTicks</c> is the child's start time from
/// <c>/proc/&lt;pid&gt;/stat</c> (0 when unknown); a live pid with another start time is a recycled pid, not our child.</summary>
internal sealed record AttemptRecord(string JobId, int Attempt, int Pid, long StartTicks, string WorkDirectory, DateTimeOffset StartedAt);

/// <summary>
/// The attempts whose child processes run now, kept in <c>DataDirectory/state/attempts.json</c> so that an agent
/// that was killed can find what it left behind when it starts again (<see cref="LeftoverAttempts"/>). The file is
/// rewritten whole on every change (temporary file, fsync, rename), so a crash leaves the old or the new version.
/// The ledger never throws: a file it cannot read is moved aside, one it cannot write is logged.
/// </summary>
internal sealed partial class AttemptLedger(string dataDirectory, TimeProvider time, ILogger<AttemptLedger> logger)
{
    private readonly Lock _gate = new();
    private List<AttemptRecord>? _records;

    /// <summary>Where the ledger lives.</summary>
    public string FilePath { get; } = Path.Combine(dataDirectory, "state", "attempts.json");

    /// <summary>The recorded attempts (read from the file on first use).</summary>
    public IReadOnlyList<AttemptRecord> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. Load()];
            }
        }
    }

    /// <summary>Records that <paramref name="pid"/> now runs the attempt, with its start time as Linux reports it.</summary>
    public void Started(string jobId, int attempt, int pid, string workDirectory) =>
        Record(new AttemptRecord(jobId, attempt, pid, LinuxProcesses.Read(pid)?.StartTicks ?? 0, workDirectory, time.GetUtcNow()));

    /// <summary>Adds <paramref name="record"/>, replacing any record of the same job and attempt.</summary>
    public void Record(AttemptRecord record) => Change(records =>
    {
        records.RemoveAll(r => r.JobId == record.JobId && r.Attempt == record.Attempt);
        records.Add(record);
    });

    /// <summary>Forgets the attempt once its child has exited (or could not start).</summary>
    public void Ended(string jobId, int attempt) => Change(records => records.RemoveAll(r => r.JobId == jobId && r.Attempt == attempt));

    /// <summary>Forgets every attempt.</summary>
    public void Clear() => Change(records => records.Clear());

    private void Change(Action<List<AttemptRecord>> change)
    {
        lock (_gate)
        {
            var records = Load();
            change(records);
            Save(records);
        }
    }

    private List<AttemptRecord> Load()
    {
        if (_records is not null)
        {
            return _records;
        }

        try
        {
            if (!File.Exists(FilePath))
            {
                return _records = [];
            }

            var file = JsonSerializer.Deserialize(File.ReadAllBytes(FilePath), AttemptLedgerJson.Default.AttemptLedgerFile);
            if (file?.Attempts is not { } attempts || attempts.Any(a => a is null || a.JobId is null || a.WorkDirectory is null))
            {
                throw new JsonException("no attempts list, or an attempt without job id or work directory");
            }

            return _records = attempts;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            MoveAside(ex);
            return _records = [];
        }
    }

    private void MoveAside(Exception reason)
    {
        var aside = $"{FilePath}.corrupt-{time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        LogUnreadable(reason, FilePath, aside);
        try
        {
            File.Move(FilePath, aside, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotMovedAside(FilePath, ex.Message);
        }
    }

    private void Save(List<AttemptRecord> records)
    {
        var temp = FilePath + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, new AttemptLedgerFile { Attempts = records }, AttemptLedgerJson.Default.AttemptLedgerFile);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, FilePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The agent goes on; only a restart's clean-up of this attempt is at stake.
            LogNotWritten(FilePath, ex.Message);
        }
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Attempt ledger {Path} is unreadable; moved aside to {AsidePath} and starting empty")]
    private partial void LogUnreadable(Exception ex, string path, string asidePath);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Attempt ledger {Path} could not be moved aside: {Reason}")]
    private partial void LogNotMovedAside(string path, string reason);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Attempt ledger {Path} could not be written: {Reason}")]
    private partial void LogNotWritten(string path, string reason);
}

/// <summary>The ledger file's shape; <see cref="Version"/> lets a later agent tell an older layout apart.</summary>
internal sealed class AttemptLedgerFile
{
    public int Version { get; set; } = 1;

    public List<AttemptRecord> Attempts { get; set; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(AttemptLedgerFile))]
internal sealed partial class AttemptLedgerJson : JsonSerializerContext;
