using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Agent.Tests.Discovery;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

public sealed class LeftoverAttemptsTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-leftovers");
    private readonly ListLoggerForTests<LeftoverAttempts> _log = new();
    private readonly List<Process> _started = [];

    private AttemptLedger NewLedger() => new(_temp.Path, TimeProvider.System, NullLogger<AttemptLedger>.Instance);

    private LeftoverAttempts NewCleanUp(AttemptLedger ledger, TimeSpan grace) => new(
        ledger,
        Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Path, CancelGracePeriod = grace }),
        TimeProvider.System,
        _log);

    [Fact]
    [Trait("Category", "Integration")]
    public async Task StartAsync_RecordedChildStillRuns_KillsItAndClearsTheLedger()
    {
        var child = Start("sleep", "300");
        var ledger = NewLedger();
        ledger.Started("j-1", 1, child.Id, WorkDirectory("j-1", 1));

        await NewCleanUp(NewLedger(), TimeSpan.FromSeconds(5)).StartAsync(CancellationToken.None);

        Assert.True(child.WaitForExit(5_000), "the leftover child still runs");
        Assert.Empty(NewLedger().Entries);
        Assert.Contains(_log.Entries, e => e.EventId == 2313 && e.Message.Contains(child.Id.ToString()));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task StartAsync_ChildIgnoresSigterm_KillsItAndItsChildAfterTheGracePeriod()
    {
        // The shell and its background sleep both ignore SIGTERM (an ignored signal stays ignored across exec).
        var shell = Start("sh", "-c", "trap '' TERM; sleep 300 & echo $!; wait", redirectOutput: true);
        var grandchild = int.Parse(shell.StandardOutput.ReadLine()!);
        var ledger = NewLedger();
        ledger.Started("j-1", 1, shell.Id, WorkDirectory("j-1", 1));

        var watch = Stopwatch.StartNew();
        await NewCleanUp(NewLedger(), TimeSpan.FromMilliseconds(300)).StartAsync(CancellationToken.None);

        Assert.True(shell.WaitForExit(5_000), "the leftover child still runs");
        Assert.False(Runs(grandchild), "the leftover child's own child still runs");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(300), "killed before the grace period was over");
        Assert.Contains(_log.Entries, e => e.EventId == 2313 && e.Message.Contains("1 descendant"));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task StartAsync_PidNowBelongsToAnotherProcess_LeavesItRunning()
    {
        var stranger = Start("sleep", "300");
        var startTicks = LinuxProcesses.Read(stranger.Id)!.Value.StartTicks;
        var ledger = NewLedger();
        ledger.Record(new AttemptRecord("j-1", 1, stranger.Id, startTicks - 1, WorkDirectory("j-1", 1), DateTimeOffset.UtcNow));

        await NewCleanUp(NewLedger(), TimeSpan.FromSeconds(5)).StartAsync(CancellationToken.None);

        Assert.False(stranger.WaitForExit(300), "a process that is not our child was killed");
        Assert.Contains(_log.Entries, e => e.EventId == 2312);
        Assert.Empty(NewLedger().Entries);
    }

    [Fact]
    public async Task StartAsync_WorkDirectories_DeletesThemButKeepsCheckpoints()
    {
        var withCheckpoint = WorkDirectory("j-1", 1);
        Write(withCheckpoint, "train.log");
        Write(withCheckpoint, "output", "weights.bin");
        Write(withCheckpoint, "checkpoints", "epoch-1", "model.pt");
        var emptyCheckpoints = WorkDirectory("j-2", 1);
        Write(emptyCheckpoints, "train.log");
        Directory.CreateDirectory(Path.Combine(emptyCheckpoints, "checkpoints"));
        var plain = WorkDirectory("j-3", 2);
        Write(plain, "assignment.pb");
        Write(_temp.Path, "artifacts", "keep.bin");

        await NewCleanUp(NewLedger(), TimeSpan.FromSeconds(1)).StartAsync(CancellationToken.None);

        Assert.Equal(
            [Path.Combine(withCheckpoint, "checkpoints", "epoch-1", "model.pt")],
            Directory.GetFileSystemEntries(withCheckpoint, "*", SearchOption.AllDirectories).Where(File.Exists));
        Assert.Equal([Path.Combine(withCheckpoint, "checkpoints")], Directory.GetFileSystemEntries(withCheckpoint));
        Assert.False(Directory.Exists(_temp.Combine("jobs", "j-2")));
        Assert.False(Directory.Exists(_temp.Combine("jobs", "j-3")));
        Assert.True(File.Exists(_temp.Combine("artifacts", "keep.bin")));
    }

    [Fact]
    public async Task StartAsync_CorruptLedger_StillDeletesWorkDirectoriesAndStarts()
    {
        Write(_temp.Path, "state", "attempts.json");
        File.WriteAllText(_temp.Combine("state", "attempts.json"), "{ not json");
        Write(WorkDirectory("j-1", 1), "train.log");

        await NewCleanUp(NewLedger(), TimeSpan.FromSeconds(1)).StartAsync(CancellationToken.None);

        Assert.False(Directory.Exists(_temp.Combine("jobs", "j-1")));
        Assert.Single(Directory.GetFiles(_temp.Combine("state"), "attempts.json.corrupt-*"));
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        _temp.Dispose();
    }

    private string WorkDirectory(string jobId, int attempt) => _temp.Combine("jobs", jobId, $"attempt-{attempt}");

    private static void Write(string directory, params string[] parts)
    {
        var path = Path.Combine([directory, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "x");
    }

    private Process Start(string fileName, params string[] args) => Start(fileName, args, redirectOutput: false);

    private Process Start(string fileName, string arg0, string arg1, bool redirectOutput) => Start(fileName, [arg0, arg1], redirectOutput);

    private Process Start(string fileName, string[] args, bool redirectOutput)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = redirectOutput };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        _started.Add(process);
        return process;
    }

    /// <summary>Alive and not a zombie, read straight from /proc (a zombie waits only for its parent to reap it).</summary>
    private static bool Runs(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return false;
            }

            if (stat[(stat.LastIndexOf(')') + 2)..][0] is 'Z' or 'X')
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }
}
