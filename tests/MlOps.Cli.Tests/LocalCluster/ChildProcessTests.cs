using System.Diagnostics;
using MlOps.Cli.LocalCluster;

namespace MlOps.Cli.Tests.LocalCluster;

/// <summary>Real child processes (a shell): prefixed output, SIGTERM first, kill after the grace period.</summary>
[Trait("Category", "Integration")]
public sealed class ChildProcessTests
{
    private const string TrapsTerm = "trap 'echo got-term; exit 0' TERM; echo started; while true; do sleep 0.05; done";
    private const string IgnoresTerm = "trap '' TERM; echo started; while true; do sleep 0.05; done";

    public static TheoryData<bool> Sessions => [false, true];

    [Theory]
    [MemberData(nameof(Sessions))]
    public async Task StopAsync_ChildHandlesSigterm_ExitsCleanlyWithinTheGracePeriod(bool ownSession)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (output, _, child) = await StartShellAsync(TrapsTerm, ownSession);
        await using (child)
        {
            var watch = Stopwatch.StartNew();
            await child.StopAsync(TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Equal(0, await child.Exited);
            Assert.Contains("[sh] got-term", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StopAsync_ChildIgnoresSigterm_IsKilledAfterTheGracePeriod()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (_, error, child) = await StartShellAsync(IgnoresTerm, ownSession: false);
        await using (child)
        {
            await child.StopAsync(TimeSpan.FromMilliseconds(300), TimeProvider.System, CancellationToken.None);

            Assert.NotEqual(0, await child.Exited);
            Assert.Contains("did not stop within", error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StopAsync_ForceCancelled_KillsWithoutWaitingOutTheGrace()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (_, error, child) = await StartShellAsync(IgnoresTerm, ownSession: false);
        await using (child)
        {
            using var force = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var watch = Stopwatch.StartNew();
            await child.StopAsync(TimeSpan.FromSeconds(30), TimeProvider.System, force.Token);

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
            Assert.Contains("killing the sh", error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_ChildWritesToStderr_GoesToStderrWithThePrefix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (output, error, child) = await StartShellAsync("echo out-line; echo err-line >&2", ownSession: false, waitForStarted: false);
        await using (child)
        {
            Assert.Equal(0, await child.Exited);
            Assert.Equal("[sh] out-line", output.ToString().Trim());
            Assert.Equal("[sh] err-line", error.ToString().Trim());
        }
    }

    private static async Task<(StringWriter Output, StringWriter Error, ChildProcess Child)> StartShellAsync(
        string script, bool ownSession, bool waitForStarted = true)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var command = new ChildCommand("/bin/sh", ["-c", script]);
        if (ownSession)
        {
            var setsid = ChildCommand.FindSetsid(CliRun.Environment(variables: new Dictionary<string, string>
            {
                ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            }));
            command = command.InOwnSession(setsid);
        }

        var child = ChildProcess.Start("sh", command, new PrefixedOutput(TextWriter.Synchronized(output), TextWriter.Synchronized(error)));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (waitForStarted && !output.ToString().Contains("started", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            // The trap is installed before "started" is printed; signalling earlier would race it.
            await Task.Delay(10);
        }

        return (output, error, child);
    }
}
