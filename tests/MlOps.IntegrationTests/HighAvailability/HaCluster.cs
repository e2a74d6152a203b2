using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Client.Rpc;
using MlOps.Contracts;
using MlOps.Discovery;
using MlOps.Testing;

namespace MlOps.IntegrationTests.HighAvailability;

/// <summary>
/// Several real coordinators (separate processes) sharing one real PostgreSQL database and electing their leader
/// through a real Consul agent, with real agents that know every coordinator address; short leases so failure tests
/// finish quickly. Clients go through <see cref="CoordinatorCallInvoker"/>, as the CLI and agents do.
/// </summary>
public sealed class HaCluster : IAsyncDisposable
{
    public const string LockKey = "service/mlops-coordinator/leader";

    private readonly TempDirectory _root = new("mlops-ha");
    private readonly string _connectionString;
    private readonly int[] _ports;
    private readonly ServiceProcess?[] _coordinators;
    private readonly Dictionary<string, ServiceProcess> _agents = [];
    private readonly List<string> _retired = [];

    private HaCluster(ConsulAgent consul, string connectionString, int coordinators)
    {
        Consul = consul;
        ConsulClient = new ConsulClient(new ConsulOptions { Address = consul.Address });
        _connectionString = connectionString;
        _ports = [.. Enumerable.Range(0, coordinators).Select(_ => FreePort.Next())];
        _coordinators = new ServiceProcess?[coordinators];
        DatasetPath = _root.Combine("datasets", "tiny");
        Invoker = new CoordinatorCallInvoker(Addresses, a => GrpcChannel.ForAddress(a)) { FailoverTimeout = TimeSpan.FromSeconds(45) };
    }

    public ConsulAgent Consul { get; }

    public ConsulClient ConsulClient { get; }

    public string DatasetPath { get; }

    public IReadOnlyList<string> Addresses => [.. _ports.Select(p => $"http://127.0.0.1:{p}")];

    public CoordinatorCallInvoker Invoker { get; }

    public JobService.JobServiceClient Jobs => new(Invoker);

    public ClusterService.ClusterServiceClient Cluster => new(Invoker);

    public ModelRegistry.ModelRegistryClient Models => new(Invoker);

    public static async Task<HaCluster> StartAsync(ConsulAgent consul, PostgresServer postgres, int coordinators, int trainCount = 1000)
    {
        var database = await postgres.CreateDatabaseAsync("ha");
        var cluster = new HaCluster(consul, database, coordinators);
        TinyMnistDataset.Write(cluster.DatasetPath, trainCount, 200);
        for (var i = 0; i < coordinators; i++)
        {
            cluster.StartCoordinator(i);
        }

        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60));
        return cluster;
    }

    public ServiceProcess? Coordinator(int index) => _coordinators[index];

    public void StartCoordinator(int index)
    {
        if (_coordinators[index] is { } old)
        {
            _retired.Add($"--- coordinator {index} (pid {old.Pid}, exited) ---\n{old.Output}");
        }

        _coordinators[index] = ServiceProcess.Start($"coordinator-{index}", BuiltBinaries.Coordinator,
        [
            $"--Coordinator:Listen=http://127.0.0.1:{_ports[index]}",
            $"--Coordinator:DataDirectory={_root.Combine($"coordinator-{index}")}",
            "--Coordinator:Store=postgres",
            $"--Coordinator:PostgresConnectionString={_connectionString}",
            "--Coordinator:HighAvailability:Enabled=true",
            $"--Coordinator:HighAvailability:LockKey={LockKey}",
            "--Coordinator:HighAvailability:LockDelay=00:00:01",
            $"--Coordinator:Consul:Address={Consul.Address}",
            // Agents' training stops LeaseDuration - HeartbeatInterval (9 s) after their last lease grant, which must
            // outlast a failover (kill, lock lost, lock delay, recovery, reconnect: about 3-6 s here); Consul's verdict
            // waits as long, so a frozen agent's job is never requeued while it still trains.
            "--Coordinator:Consul:SilenceBeforeLoss=00:00:09",
            "--Coordinator:LeaseDuration=00:00:10",
            "--Coordinator:HeartbeatInterval=00:00:01",
            "--Coordinator:SchedulerInterval=00:00:01",
            "--Coordinator:RetryBackoff=00:00:00.200",
            $"--Artifacts:Path={_root.Combine("artifacts")}",
            $"--Datasets:tiny:Path={DatasetPath}",
        ]);
    }

    /// <summary>The leader's address as the lock says, once a session holds it.</summary>
    public async Task<string?> LeaderAsync()
    {
        var entry = (await ConsulClient.GetKeyAsync(LockKey)).Value;
        return entry is { IsLocked: true } ? entry.ValueAsString() : null;
    }

    public int IndexOf(string address) => Array.IndexOf([.. Addresses], address);

    /// <summary>Waits until some coordinator holds the lock and answers calls as the leader; returns its index.</summary>
    public async Task<int> WaitForLeaderAsync(TimeSpan timeout, string? notAddress = null)
    {
        var leader = -1;
        await Eventually.Async(async () =>
        {
            var address = await LeaderAsync();
            if (address is null || address == notAddress)
            {
                return false;
            }

            using var channel = GrpcChannel.ForAddress(address);
            try
            {
                await new ClusterService.ClusterServiceClient(channel).ListAgentsAsync(new ListAgentsRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            }
            catch (RpcException)
            {
                return false;
            }

            leader = IndexOf(address);
            return leader >= 0;
        }, timeout, () => "no coordinator took the lead\n" + Diagnostics());
        return leader;
    }

    public async Task<ServiceProcess> StartAgentAsync(string id, bool waitConnected = true)
    {
        if (_agents.TryGetValue(id, out var old))
        {
            _retired.Add($"--- agent {id} (pid {old.Pid}, exited) ---\n{old.Output}");
        }

        var agent = ServiceProcess.Start($"agent-{id}", BuiltBinaries.Agent,
        [
            $"--Agent:CoordinatorAddress={string.Join(',', Addresses)}",
            $"--Agent:DataDirectory={_root.Combine("agents", id)}",
            $"--Agent:Id={id}",
            "--Agent:ReconnectMinDelay=00:00:00.200",
            "--Agent:ReconnectMaxDelay=00:00:01",
            "--Agent:CancelGracePeriod=00:00:03",
            $"--Agent:Consul:Address={Consul.Address}",
            "--Agent:Consul:PassInterval=00:00:01",
        ]);
        _agents[id] = agent;
        if (waitConnected)
        {
            await Eventually.Async(async () =>
            {
                var agents = await Cluster.ListAgentsAsync(new ListAgentsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return agents.Agents.Any(a => a.AgentId == id && a.Status == AgentStatus.Connected);
            }, TimeSpan.FromSeconds(60), () => $"agent {id} did not connect\n{Diagnostics()}");
        }

        return agent;
    }

    public ServiceProcess Agent(string id) => _agents[id];

    public async Task<Job> WaitForJobAsync(string jobId, Func<Job, bool> condition, TimeSpan timeout)
    {
        Job? last = null;
        await Eventually.Async(async () =>
        {
            last = await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddSeconds(50));
            return condition(last);
        }, timeout, () => $"job {jobId} never reached the expected state; last: {last}\n{Diagnostics()}");
        return last!;
    }

    public string Diagnostics() =>
        string.Join("\n", _retired) + "\n" +
        string.Join("\n", _coordinators.Select((c, i) => $"--- coordinator {i} ---\n{c?.Output}")) + "\n" +
        string.Join("\n", _agents.Select(a => $"--- agent {a.Key} ---\n{a.Value.Output}"));

    public async ValueTask DisposeAsync()
    {
        Invoker.Dispose();
        foreach (var agent in _agents.Values)
        {
            await agent.DisposeAsync();
        }

        foreach (var coordinator in _coordinators.OfType<ServiceProcess>())
        {
            await coordinator.DisposeAsync();
        }

        ConsulClient.Dispose();
        _root.Dispose();
    }
}
