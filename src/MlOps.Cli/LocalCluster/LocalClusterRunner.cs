using System.Net;
using System.Net.Sockets;
using MlOps.Cli.Client;
using MlOps.Contracts;

namespace MlOps.Cli.LocalCluster;

/// <summary>
/// Runs the one-machine cluster of <c>mlops up</c>: coordinator first, then the agent once the coordinator
/// answers; <c>cluster ready</c> once the agent is CONNECTED; on a stop signal the agent is stopped before the
/// coordinator, each with SIGTERM and a grace period. Whatever happens, no child outlives this method.
/// </summary>
internal sealed class LocalClusterRunner(UpSettings settings, CliEnvironment environment)
{
    private readonly PrefixedOutput _output = new(environment.Out, environment.Error);

    /// <summary>Returns 0 after a stop signal and a clean stop; throws <see cref="CliException"/> otherwise.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        // Find everything before starting anything, so a missing binary never leaves half a cluster behind.
        var setsid = ChildCommand.FindSetsid(environment);
        var coordinatorCommand = Command(ClusterBinary.Coordinator, settings.CoordinatorPath, settings.CoordinatorArguments(), setsid);
        var agentCommand = Command(ClusterBinary.Agent, settings.AgentPath, settings.AgentArguments(), setsid);
        EnsurePortFree(settings.Port, "--port");
        EnsurePortFree(settings.GrpcPort, "--grpc-port");
        EnsurePortFree(settings.RestPort, "--rest-port");

        Directory.CreateDirectory(settings.CoordinatorDataDirectory);
        Directory.CreateDirectory(settings.AgentDataDirectory);

        using var client = new MlOpsClient(new MlOpsClientOptions { Address = settings.CoordinatorAddress, User = environment.UserName });
        using var startup = new CancellationTokenSource(settings.ReadyTimeout, environment.Time);
        ChildProcess? coordinator = null;
        ChildProcess? agent = null;
        try
        {
            _output.Note($"data directory: {settings.DataDirectory}");
            coordinator = ChildProcess.Start("coordinator", coordinatorCommand, _output);
            _output.Note($"started coordinator (pid {coordinator.Id}): {coordinatorCommand}");
            await WaitAsync(client, ClusterReadiness.Answers, [coordinator], "the coordinator to answer", startup.Token, stop);
            _output.Note($"coordinator listening on {settings.CoordinatorAddress}");

            agent = ChildProcess.Start("agent", agentCommand, _output);
            _output.Note($"started agent (pid {agent.Id}): {agentCommand}");
            await WaitAsync(client, ClusterReadiness.AgentConnected(settings.AgentId), [coordinator, agent], $"agent '{settings.AgentId}' to connect", startup.Token, stop);
            _output.Note($"cluster ready: coordinator {settings.CoordinatorAddress}, agent '{settings.AgentId}'; press Ctrl-C to stop");
            if (settings.GrpcPort != 0 || settings.RestPort != 0)
            {
                _output.Note($"inference (Open Inference Protocol): gRPC {Shown(settings.InferenceGrpcAddress)}, REST {Shown(settings.InferenceRestAddress)}; 'mlops deploy MODEL' serves a model there");
            }

            var stopped = Task.Delay(Timeout.InfiniteTimeSpan, environment.Time, stop);
            var first = await Task.WhenAny(stopped, coordinator.Exited, agent.Exited);
            if (first == stopped)
            {
                return ExitCodes.Ok;
            }

            var died = first == coordinator.Exited ? coordinator : agent;
            throw new CliException(ExitCodes.Error, $"the {died.Name} exited unexpectedly with code {await died.Exited}; stopping the cluster");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        finally
        {
            await StopAsync(agent, coordinator);
        }
    }

    private static string Shown(string address) => address.Length == 0 ? "off" : address;

    private ChildCommand Command(ClusterBinary binary, string? option, IReadOnlyList<string> arguments, string? setsid) =>
        ChildCommand.For(BinaryLocator.Locate(binary, option, environment), arguments, environment.ProcessPath).InOwnSession(setsid);

    /// <summary>Waits for <paramref name="ready"/>, failing when a child exits first or the startup time is up.</summary>
    private async Task WaitAsync(MlOpsClient client, Func<IReadOnlyList<AgentInfo>, bool> ready, ChildProcess[] children, string what,
        CancellationToken startup, CancellationToken stop)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(startup, stop);
        var readyTask = ClusterReadiness.WaitAsync(client, ready, environment.Time, wait.Token);
        var first = await Task.WhenAny([readyTask, .. children.Select(c => (Task)c.Exited)]);
        if (first != readyTask)
        {
            await wait.CancelAsync();
            await readyTask.ContinueWith(_ => { }, TaskScheduler.Default);
            var died = children.First(c => c.Exited == first);
            throw new CliException(ExitCodes.Error, $"the {died.Name} exited with code {await died.Exited} while waiting for {what}; see its output above");
        }

        try
        {
            await readyTask;
        }
        catch (OperationCanceledException) when (startup.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Error, $"timed out after {settings.ReadyTimeout.TotalSeconds:0} s waiting for {what}");
        }
    }

    /// <summary>The agent first, so it can report its jobs to a coordinator that is still there.</summary>
    private async Task StopAsync(ChildProcess? agent, ChildProcess? coordinator)
    {
        foreach (var child in new[] { agent, coordinator })
        {
            if (child is null)
            {
                continue;
            }

            if (!child.Exited.IsCompleted)
            {
                _output.Note($"stopping the {child.Name} (pid {child.Id})");
            }

            await child.StopAsync(settings.StopGrace, environment.Time, environment.ForceStop);
            await child.DisposeAsync();
        }

        if (agent is not null || coordinator is not null)
        {
            _output.Note("stopped");
        }
    }

    /// <summary>Another coordinator on the port would answer our readiness checks, so refuse before starting.</summary>
    private static void EnsurePortFree(int port, string option)
    {
        if (port == 0)
        {
            return;
        }

        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            probe.Stop();
        }
        catch (SocketException ex)
        {
            throw new CliException(ExitCodes.Error, $"port {port} on 127.0.0.1 is taken ({ex.SocketErrorCode}); is a cluster already running? Choose another with {option}");
        }
    }
}
