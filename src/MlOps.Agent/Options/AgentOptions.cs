using System.ComponentModel.DataAnnotations;

namespace MlOps.Agent.Options;

/// <summary>Settings of one agent, bound from the <c>Agent</c> configuration section and checked at start-up.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>Stable identity of this node in the cluster. Default: the common name of the <see cref="Tls"/>
    /// certificate when that is set (the coordinator accepts no other id from it), else the host name.</summary>
    public string Id { get; set; } = "";

    /// <summary>Where the coordinator's gRPC endpoint listens, or a comma-separated list of coordinators that elect a
    /// leader (the agent connects to whichever leads, following redirects). <c>https://</c> addresses need
    /// <see cref="Tls"/>. Default <c>http://127.0.0.1:7070</c>.</summary>
    [Required]
    public string CoordinatorAddress { get; set; } = "http://127.0.0.1:7070";

    /// <summary>
    /// Mutual TLS to the coordinator (<c>Agent:Tls:CertificateFile</c>, <c>KeyFile</c>, <c>AuthorityFile</c>; all three
    /// or none): this node's agent certificate (role agent, clientAuth; its common name is the agent's id), its key,
    /// and the cluster CA the coordinator's certificate must chain to (the machine's trust store plays no part).
    /// Used for <c>https://</c> coordinator addresses. Default: none. See docs/security.md.
    /// </summary>
    public MlOps.Core.Certificates.TlsFiles Tls { get; set; } = new();

    /// <summary>Job working directories, the local artifact store and logs live here.
    /// Default: <c>$XDG_DATA_HOME/mlops/agent</c> or <c>~/.local/share/mlops/agent</c>.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>CPU cores offered to jobs; 0 (default) offers every core of the machine.</summary>
    [Range(0, 4096)]
    public int CpuCores { get; set; }

    /// <summary>Memory offered to jobs in MB; 0 (default) offers the machine's total memory.</summary>
    [Range(0, long.MaxValue)]
    public long MemoryMb { get; set; }

    /// <summary>First reconnect delay after the stream to the coordinator drops. Default 1 s.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the exponential reconnect backoff. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a cancelled job's process may take to stop before it is killed. Default 5 s.</summary>
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeat interval used until the coordinator's welcome says otherwise. Default 5 s.</summary>
    public TimeSpan DefaultHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Log lines from a job are sent in batches of at most this many. Default 64.</summary>
    [Range(1, 10_000)]
    public int LogBatchSize { get; set; } = 64;

    /// <summary>Labels deployments select this node by (<c>Agent:Labels:zone=lab-2</c>); the coordinator adds
    /// <c>agent</c>, <c>host</c> and <c>gpu</c> itself. Default: none.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where this node serves models with the Open Inference Protocol; both empty (default) serves nothing.</summary>
    public ServingEndpoints Serving { get; set; } = new();

    /// <summary>Address of an HTTP/1.1 listener that serves only <c>GET /metrics</c> for Prometheus (running jobs,
    /// training progress, node capacity, GPUs), <c>http://HOST:PORT</c>, e.g. <c>http://127.0.0.1:9465</c>. Default empty:
    /// no listener. Serving metrics stay on the model host's REST port. See docs/metrics.md.</summary>
    public string MetricsListen { get; set; } = "";

    /// <summary>Registration in Consul (docs/discovery.md, "In the cluster"); off unless <c>Agent:Consul:Address</c> is
    /// set. The same section also holds the Consul client's own settings (<c>Token</c>, <c>Datacenter</c>, ...).</summary>
    public AgentConsulOptions Consul { get; set; } = new();

    /// <summary>How the training children load libtorch (docs/gpu.md, "Training on CUDA").</summary>
    public AgentTrainingOptions Training { get; set; } = new();

    public static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "mlops", "agent");
    }
}

/// <summary>Listen addresses of the agent's inference endpoints (Triton's usual ports are 8001 and 8000).</summary>
public sealed class ServingEndpoints
{
    /// <summary>gRPC <c>inference.GRPCInferenceService</c> (HTTP/2 without TLS), e.g. <c>http://127.0.0.1:8001</c>.</summary>
    public string GrpcListen { get; set; } = "";

    /// <summary>REST <c>/v2/...</c> (HTTP/1.1), e.g. <c>http://127.0.0.1:8000</c>.</summary>
    public string RestListen { get; set; } = "";

    /// <summary>Address clients are told to use for gRPC when it differs from the listen address (NAT, a listen
    /// address of 0.0.0.0). Default: the listen address, with 0.0.0.0 replaced by the host name.</summary>
    public string GrpcAdvertise { get; set; } = "";

    /// <summary>As <see cref="GrpcAdvertise"/>, for REST.</summary>
    public string RestAdvertise { get; set; } = "";

    /// <summary>How long a version that left its deployment keeps serving requests already routed to it before it is
    /// unloaded. Default 2 s.</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often each served version with a reference profile reports a <c>ServingWindow</c> (its live
    /// profile and the labels scored) to the coordinator. Default 60 s: a few thousand sampled requests per window on
    /// a busy version, and one small message a minute per version. Must be positive.</summary>
    public TimeSpan ProfileWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Who may call the inference endpoints (docs/security.md ("Inference endpoint authentication")): <c>none</c> (default: anyone who
    /// reaches the port), <c>token</c> (a cluster API token as <c>authorization: Bearer</c>), <c>mtls</c> (a client
    /// certificate from the cluster CA) or <c>token-or-mtls</c>. Health and liveness probes stay open in every mode.</summary>
    public string Auth { get; set; } = "none";

    /// <summary>TLS of the inference endpoints: the agent's certificate (issued with <c>mlops certs issue NAME --role
    /// agent --serving</c>, so it has serverAuth), its key and the cluster CA. Empty (default): plaintext, unless
    /// <see cref="Auth"/> accepts certificates, which then uses <c>Agent:Tls</c>'s files. With TLS the listen and
    /// advertise addresses are <c>https://</c>.</summary>
    public MlOps.Core.Certificates.TlsFiles Tls { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(GrpcListen) || !string.IsNullOrWhiteSpace(RestListen);
}
