using System.Net;
using System.Net.Sockets;
using MlOps.Testing;

namespace MlOps.Cli.Tests.LocalCluster;

/// <summary>
/// <c>mlops up</c> with stand-in children (shell scripts), for the paths that need no real coordinator:
/// a child that dies during startup, and a port that is already taken.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LocalClusterRunnerTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-up");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Up_CoordinatorExitsDuringStartup_ExitsFiveWithItsPrefixedOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var coordinator = Script("coordinator.sh", "echo \"args: $*\"; echo boom >&2; exit 3");
        var agent = Script("agent.sh", "echo should-not-start");
        var port = FreePort.Next();

        var (code, output, error) = await RunAsync("up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data-dir", _temp.Combine("data"), "--coordinator-path", coordinator, "--agent-path", agent);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains($"[coordinator] args: --Coordinator:Listen=http://127.0.0.1:{port} --Coordinator:DataDirectory={_temp.Combine("data", "coordinator")}", output, StringComparison.Ordinal);
        Assert.Contains("[coordinator] boom", error, StringComparison.Ordinal);
        Assert.Contains("error: the coordinator exited with code 3 while waiting for the coordinator to answer", error, StringComparison.Ordinal);
        Assert.DoesNotContain("should-not-start", output, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster ready", output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(_temp.Combine("data", "agent")));
    }

    [Fact]
    public async Task Up_PortTaken_ExitsFiveWithoutStartingAnything()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var coordinator = Script("coordinator.sh", "echo started");

        var (code, output, error) = await RunAsync("up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data-dir", _temp.Combine("data"), "--coordinator-path", coordinator, "--agent-path", coordinator);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains($"port {port} on 127.0.0.1 is taken", error, StringComparison.Ordinal);
        Assert.DoesNotContain("started", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = CliRun.Environment(output, error);
        var code = await CliApp.RunAsync(args, environment, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private string Script(string name, string body)
    {
        var path = _temp.Combine(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
