using System.Net.Security;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// A real coordinator and real agents as separate processes on loopback, with short leases so failure
/// tests finish quickly. Everything lives in one temp directory, removed on dispose. With a Consul address the
/// coordinator follows agent health there and every agent registers there, with short TTLs. With
/// <see cref="WithMutualTls"/> the coordinator serves https with a certificate from a cluster CA made for the cluster,
/// and every agent joins with its own agent certificate.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new("mlops-cluster");
    private readonly Dictionary<string, ServiceProcess> _agents = [];
    private GrpcChannel? _channel;
    private ClusterPki? _pki;
    private bool _authentication;

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

    public string Address => $"{(_pki is null ? "http" : "https")}://127.0.0.1:{Port}";

    /// <summary>The cluster CA and its certificates (under <see cref="RootPath"/>/tls) once <see cref="WithMutualTls"/>
    /// was called; null for a plaintext cluster.</summary>
    public ClusterPki? Pki => _pki;

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

    /// <summary>The channel to the coordinator (for clients such as the inference client). With mutual TLS it trusts
    /// the cluster CA and presents no certificate, as a CLI user without one.</summary>
    public GrpcChannel Channel => _channel ??= CreateChannel(certificate: null);

    /// <summary>
    /// Mutual TLS: a cluster CA and a coordinator certificate (for 127.0.0.1) in <see cref="RootPath"/>/tls; the
    /// coordinator then listens on https and each agent started gets an agent certificate for its id. Call before
    /// starting anything.
    /// </summary>
    public LocalCluster WithMutualTls()
    {
        _pki ??= new ClusterPki(_root.Combine("tls"));
        _pki.Issue("coordinator", ClusterRole.Coordinator);
        return this;
    }

    /// <summary>
    /// Authentication on (with mutual TLS, which it needs): the coordinator makes its first admin token at start, and
    /// <see cref="Channel"/> (and so every client of this class) sends it. Call before starting anything.
    /// </summary>
    public LocalCluster WithAuthentication()
    {
        if (_pki is null)
        {
            WithMutualTls();
        }

        _authentication = true;
        CoordinatorArguments.Add("--Coordinator:Auth:Enabled=true");
        return this;
    }

    /// <summary>Where the coordinator writes its first admin token.</summary>
    public string AdminTokenPath => _root.Combine("coordinator", "admin.token");

    /// <summary>The first admin token, once the coordinator wrote it; null before, or without authentication.</summary>
    public string? AdminToken => _authentication && File.Exists(AdminTokenPath) ? File.ReadAllText(AdminTokenPath).Trim() : null;

    /// <summary>A channel to the coordinator that trusts the cluster CA and presents <paramref name="certificate"/>
    /// (with its key) when given. Plain h2c without mutual TLS. The caller disposes it.</summary>
    public GrpcChannel CreateChannel(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        if (_pki is null)
        {
            return GrpcChannel.ForAddress(Address);
        }

        var authority = _pki.LoadAuthority();
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(authority, ClusterRoles.ServerAuthentication),
        };
        if (certificate is not null)
        {
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        // With authentication the admin token goes on every call, read when the call is made (the file appears once
        // the coordinator has started).
        var credentials = _authentication
            ? ChannelCredentials.Create(new SslCredentials(), CallCredentials.FromInterceptor((_, metadata) =>
            {
                if (AdminToken is { } token)
                {
                    metadata.Add("authorization", "Bearer " + token);
                }

                return Task.CompletedTask;
            }))
            : null;
        return GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = ssl }, Credentials = credentials });
    }

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
            .. _pki is null ? Array.Empty<string>() : TlsArguments("Coordinator", _pki.Files("coordinator")),
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
        var agent = LaunchAgent(id, tls: _pki?.Issue(id, ClusterRole.Agent), extraArguments:
        [
            .. servingArgs,
            .. metricsPort is { } metrics ? [$"--Agent:MetricsListen=http://127.0.0.1:{metrics}"] : Array.Empty<string>(),
        ]);
        await Eventually.Async(async () =>
        {
            var agents = await Cluster.ListAgentsAsync(new ListAgentsRequest());
            return agents.Agents.Any(a => a.AgentId == id && a.Status == AgentStatus.Connected);
        }, TimeSpan.FromSeconds(60), () => $"agent {id} did not connect:\n{agent.Output}\ncoordinator:\n{Coordinator?.Output}");
        return agent;
    }

    /// <summary>
    /// Starts an agent process without waiting for it to join: for agents that should not get in. With
    /// <paramref name="tls"/> it uses those files as <c>Agent:Tls</c>; without <paramref name="configureId"/> it gets
    /// no <c>Agent:Id</c> (and takes its certificate's common name, or the host name). <paramref name="id"/> names its
    /// data directory and its entry in <see cref="Diagnostics"/>.
    /// </summary>
    public ServiceProcess LaunchAgent(string id, TlsFiles? tls = null, bool configureId = true, IEnumerable<string>? extraArguments = null)
    {
        var agent = ServiceProcess.Start($"agent-{id}", BuiltBinaries.Agent,
        [
            .. extraArguments ?? [],
            $"--Agent:CoordinatorAddress={Address}",
            $"--Agent:DataDirectory={_root.Combine("agents", id)}",
            .. configureId ? [$"--Agent:Id={id}"] : Array.Empty<string>(),
            .. tls is null ? Array.Empty<string>() : TlsArguments("Agent", tls),
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

    private static string[] TlsArguments(string section, TlsFiles files) =>
    [
        $"--{section}:Tls:CertificateFile={files.CertificateFile}",
        $"--{section}:Tls:KeyFile={files.KeyFile}",
        $"--{section}:Tls:AuthorityFile={files.AuthorityFile}",
    ];

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

        _pki?.Dispose();
        _root.Dispose();
    }
}
