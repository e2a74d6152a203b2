using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Agent.Jobs;
using MlOps.Agent.Tests.Discovery;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

public sealed class AttemptLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDirectory _temp = new("mlops-ledger");
    private readonly FakeTimeProvider _time = new(Now);
    private readonly ListLoggerForTests<AttemptLedger> _log = new();

    private string LedgerPath => _temp.Combine("state", "attempts.json");

    private AttemptLedger NewLedger() => new(_temp.Path, _time, _log);

    private AttemptRecord Record(string jobId, int attempt, int pid = 4242) =>
        new(jobId, attempt, pid, 123_456, _temp.Combine("jobs", jobId, $"attempt-{attempt}"), Now);

    [Fact]
    public void Record_ThenReadByANewLedger_RoundTripsEveryField()
    {
        var ledger = NewLedger();
        ledger.Record(Record("j-1", 1));
        ledger.Record(Record("j-2", 3, pid: 99));
        ledger.Ended("j-1", 1);

        var entry = Assert.Single(NewLedger().Entries);
        Assert.Equal(Record("j-2", 3, pid: 99), entry);
    }

    [Fact]
    public void Record_SameAttemptTwice_KeepsOneEntry()
    {
        var ledger = NewLedger();
        ledger.Record(Record("j-1", 1, pid: 10));
        ledger.Record(Record("j-1", 1, pid: 11));

        Assert.Equal(11, Assert.Single(NewLedger().Entries).Pid);
    }

    [Fact]
    public void Started_LiveProcess_RecordsItsStartTimeFromProc()
    {
        var ledger = NewLedger();

        ledger.Started("j-1", 1, Environment.ProcessId, _temp.Combine("w"));

        // Field 22 of /proc/self/stat, read here without the production parser (the test host's name has no spaces).
        var stat = File.ReadAllText("/proc/self/stat");
        var expected = long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]);
        var entry = Assert.Single(NewLedger().Entries);
        Assert.Equal(expected, entry.StartTicks);
        Assert.Equal(Environment.ProcessId, entry.Pid);
        Assert.Equal(Now, entry.StartedAt);
    }

    [Fact]
    public void Record_Always_ReplacesTheWholeFileAndLeavesNoTemporaryFile()
    {
        var ledger = NewLedger();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            ledger.Record(Record("j-1", attempt));
        }

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            ledger.Ended("j-1", attempt);
        }

        Assert.Equal([LedgerPath], Directory.GetFileSystemEntries(_temp.Combine("state")));
        using var json = JsonDocument.Parse(File.ReadAllText(LedgerPath));
        var attempts = json.RootElement.GetProperty("attempts");
        Assert.Equal(1, attempts.GetArrayLength());
        Assert.Equal(5, attempts[0].GetProperty("attempt").GetInt32());
    }

    [Fact]
    public void Record_TemporaryFileCannotBeWritten_KeepsThePreviousFileWhole()
    {
        var ledger = NewLedger();
        ledger.Record(Record("j-1", 1));
        var before = File.ReadAllBytes(LedgerPath);
        Directory.CreateDirectory(LedgerPath + ".tmp"); // In the way of the temporary file.

        ledger.Record(Record("j-2", 1));

        Assert.Equal(before, File.ReadAllBytes(LedgerPath));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.EventId == 2303 && e.Message.Contains(LedgerPath));
        Assert.Equal(2, ledger.Entries.Count); // The agent goes on with what it knows.
    }

    [Theory]
    [InlineData("{\"attempts\": [")]
    [InlineData("null")]
    [InlineData("{\"attempts\": [{\"attempt\": 1, \"pid\": 5}]}")]
    public void Entries_CorruptFile_MovesItAsideAndStartsEmpty(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LedgerPath)!);
        File.WriteAllText(LedgerPath, content);
        var ledger = NewLedger();

        Assert.Empty(ledger.Entries);

        var aside = LedgerPath + ".corrupt-20250102T030405Z";
        Assert.Equal(content, File.ReadAllText(aside));
        Assert.False(File.Exists(LedgerPath));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.EventId == 2301 && e.Message.Contains(LedgerPath));

        ledger.Record(Record("j-1", 1));
        Assert.Single(NewLedger().Entries);
    }

    [Fact]
    public void Entries_NoFile_IsEmptyWithoutWarnings()
    {
        Assert.Empty(new AttemptLedger(_temp.Path, _time, NullLogger<AttemptLedger>.Instance).Entries);
        Assert.Empty(NewLedger().Entries);
        Assert.Empty(_log.Entries);
    }

    public void Dispose() => _temp.Dispose();
}
