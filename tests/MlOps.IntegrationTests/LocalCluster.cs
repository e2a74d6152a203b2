using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// A real coordinator and real agents as separate processes on loopback, with short leases so failure
/// tests finish quickly. Everything lives in one temp directory, removed on dispose. With a Consul address the
/// coordinator follows agent health there and every agent registers there, with short TTLs.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new("mlops-cluster");
    private readonly Dictionary<string, ServiceProcess> _agents = [];
    private GrpcChannel? _channel;

    /// <summary>How often agents pass their Consul checks (TTL: three times this) when the cluster uses Consul.</summary>
    public static readonly TimeSpan ConsulPassInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long an agent Consul reports critical must be silent before the coordinator loses it.</summary>
    public static readonly TimeSpan ConsulSilenceBeforeLoss = TimeSpan.FromSeconds(2);

    /// <param name="consulAddress">A Consul agent's HTTP API (<see cref="ConsulAgent.Address"/>) for the coordinator and
    /// the agents; null (default): no Consul, the static configuration.</param>
    public LocalCluster(string? consulAddress = null)
    {
        Port = FreePort.Next();
        DatasetPath = _root.Combine("datasets", "tiny");
        ConsulAddress = consulAddress;
    }

    public string? ConsulAddress { get; }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    public string DatasetPath { get; }

    public string RootPath => _root.Path;

    public ServiceProcess? Coordinator { get; private set; }

    public JobService.JobServiceClient Jobs => new(Channel);

    public ClusterService.ClusterServiceClient Cluster => new(Channel);

    public ModelRegistry.ModelRegistryClient Models => new(Channel);

    public DatasetService.DatasetServiceClient Datasets => new(Channel);

    public DeploymentService.DeploymentServiceClient Deployments => new(Channel);

    public RetrainingService.RetrainingServiceClient Retraining => new(Channel);

    public PipelineService.PipelineServiceClient Pipelines => new(Channel);

    /// <summary>The coordinator's artifact store as agents and the CLI see it.</summary>
    public MlOps.Artifacts.IArtifactStore Artifacts => new MlOps.Client.Artifacts.CoordinatorArtifactStore(new ArtifactService.ArtifactServiceClient(Channel), Address);

    /// <summary>Extra arguments of every agent started from now on.</summary>
    public List<string> AgentArguments { get; } = [];

    /// <summary>Extra coordinator arguments (e.g. an artifact registry) for the next start.</summary>
    public List<string> CoordinatorArguments { get; } = [];

    /// <summary>The channel to the coordinator (for clients such as the inference client).</summary>
    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Address);

    /// <summary>Writes the tiny dataset (registered in the catalog as <c>tiny</c>).</summary>
    public LocalCluster WithTinyDataset(int trainCount = 1000, int testCount = 200)
    {
        TinyMnistDataset.Write(DatasetPath, trainCount, testCount);
        return this;
    }

    public async Task StartCoordinatorAsync()
    {
        Coordinator = ServiceProcess.Start("coordinator", BuiltBinaries.Coordinator,
        [
            $"--Coordinator:Listen={Address}",
            $"--Coordinator:DataDirectory={_root.Combine("coordinator")}",
            "--Coordinator:LeaseDuration=00:00:03",
            "--Coordinator:HeartbeatInterval=00:00:01",
            "--Coordinator:SchedulerInterval=00:00:01",
            "--Coordinator:DeploymentInterval=00:00:00.500",
            "--Coordinator:RetryBackoff=00:00:00.200",
            $"--Datasets:tiny:Path={DatasetPath}",
            .. ConsulAddress is null
                ? Array.Empty<string>()
                : [$"--Coordinator:Consul:Address={ConsulAddress}", $"--Coordinator:Consul:SilenceBeforeLoss={ConsulSilenceBeforeLoss}"],
            .. CoordinatorArguments,
        ]);
        await Eventually.Async(async () =>
        {
            await Cluster.ListAgentsAsync(new ListAgentsRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            return true;
        }, TimeSpan.FromSeconds(60), () => "coordinator did not answer:\n" + Coordinator.Output);
    }

    /// <summary>Starts an agent; with <paramref name="serving"/> it also serves models (gRPC and REST ports returned), with
    /// <paramref name="metricsPort"/> it serves Prometheus metrics there.</summary>
    public async Task<ServiceProcess> StartAgentAsync(string id, (int Grpc, int Http)? serving = null, int? metricsPort = null)
    {
        List<string> servingArgs = serving is { } ports
            ? [$"--Agent:Serving:GrpcListen=http://127.0.0.1:{ports.Grpc}", $"--Agent:Serving:RestListen=http://127.0.0.1:{ports.Http}"]
            : [];
        var agent = ServiceProcess.Start($"agent-{id}", BuiltBinaries.Agent,
        [
            .. servingArgs,
            .. metricsPort is { } metrics ? [$"--Agent:MetricsListen=http://127.0.0.1:{metrics}"] : Array.Empty<string>(),
            $"--Agent:CoordinatorAddress={Address}",
            $"--Agent:DataDirectory={_root.Combine("agents", id)}",
            $"--Agent:Id={id}",
            "--Agent:ReconnectMinDelay=00:00:00.200",
            "--Agent:ReconnectMaxDelay=00:00:02",
            "--Agent:CancelGracePeriod=00:00:03",
            "--Agent:Serving:DrainDelay=00:00:01",
            .. ConsulAddress is null
                ? Array.Empty<string>()
                : [$"--Agent:Consul:Address={ConsulAddress}", $"--Agent:Consul:PassInterval={ConsulPassInterval}"],
            .. AgentArguments,
        ]);
        _agents[id] = agent;
        await Eventually.Async(async () =>
        {
            var agents = await Cluster.ListAgentsAsync(new ListAgentsRequest());
            return agents.Agents.Any(a => a.AgentId == id && a.Status == AgentStatus.Connected);
        }, TimeSpan.FromSeconds(60), () => $"agent {id} did not connect:\n{agent.Output}\ncoordinator:\n{Coordinator?.Output}");
        return agent;
    }

    /// <summary>An agent this cluster started, by id.</summary>
    public ServiceProcess Agent(string id) => _agents[id];

    public async Task RestartCoordinatorAsync()
    {
        if (Coordinator is not null)
        {
            await Coordinator.StopAsync(TimeSpan.FromSeconds(30));
            await Coordinator.DisposeAsync();
        }

        _channel?.Dispose();
        _channel = null;
        await StartCoordinatorAsync();
    }

    public async Task<Job> WaitForJobAsync(string jobId, Func<Job, bool> condition, TimeSpan timeout)
    {
        Job? last = null;
        await Eventually.Async(async () =>
        {
            last = await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
            return condition(last);
        }, timeout, () => $"job {jobId} never reached the expected state; last: {last}\n{Diagnostics()}");
        return last!;
    }

    public async Task<List<JobEvent>> ReadEventsAsync(string jobId, long fromSeq = 0)
    {
        using var call = Jobs.WatchJob(new WatchJobRequest { JobId = jobId, FromSeq = fromSeq }, deadline: DateTime.UtcNow.AddSeconds(30));
        var events = new List<JobEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }

    public string Diagnostics() =>
        $"--- coordinator ---\n{Coordinator?.Output}\n" +
        string.Join("\n", _agents.Select(a => $"--- {a.Key} ---\n{a.Value.Output}"));

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        foreach (var agent in _agents.Values)
        {
            await agent.DisposeAsync();
        }

        if (Coordinator is not null)
        {
            await Coordinator.DisposeAsync();
        }

        _root.Dispose();
    }
}
