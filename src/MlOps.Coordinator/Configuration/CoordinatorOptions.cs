namespace MlOps.Coordinator.Configuration;

/// <summary>
/// Settings of the coordinator, bound from the <c>Coordinator</c> configuration section (appsettings.json,
/// environment variables <c>Coordinator__Listen</c>, or the command line <c>--Coordinator:Listen=...</c>).
/// Every value is checked at start-up by <see cref="CoordinatorOptionsValidator"/>; a bad one stops the
/// service with all problems listed at once.
/// </summary>
public sealed class CoordinatorOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Coordinator";

    /// <summary>Value of <see cref="Store"/> for the SQLite file in <see cref="DataDirectory"/>.</summary>
    public const string SqliteStore = "sqlite";

    /// <summary>Value of <see cref="Store"/> for a PostgreSQL database at <see cref="PostgresConnectionString"/>.</summary>
    public const string PostgresStore = "postgres";

    /// <summary>
    /// Address the gRPC endpoint listens on: <c>https://HOST:PORT</c>, HTTP/2 over TLS with <see cref="Tls"/>, or
    /// <c>http://HOST:PORT</c>, HTTP/2 without TLS (h2c), which is allowed on a loopback address only (127.0.0.1,
    /// <c>::1</c>, <c>localhost</c>). HOST is an IP address, <c>localhost</c> or <c>*</c> (every interface); port 0
    /// picks a free port. Default <c>http://127.0.0.1:7070</c>.
    /// </summary>
    public string Listen { get; set; } = "http://127.0.0.1:7070";

    /// <summary>
    /// Mutual TLS on <see cref="Listen"/> (<c>Coordinator:Tls:CertificateFile</c>, <c>KeyFile</c>,
    /// <c>AuthorityFile</c>; all three or none): the coordinator's certificate (role coordinator: serverAuth), its key,
    /// and the cluster CA that every client certificate presented must chain to. Agents must present one (their
    /// identity is its subject); other clients may come without. Default: none (plaintext, loopback only).
    /// See docs/security.md.
    /// </summary>
    public MlOps.Core.Certificates.TlsFiles Tls { get; set; } = new();

    /// <summary>
    /// Address of a separate HTTP/1.1 listener that serves only <c>GET /metrics</c> for Prometheus (the gRPC endpoint
    /// speaks HTTP/2 only), <c>http://HOST:PORT</c> as for <see cref="Listen"/>, e.g. <c>http://127.0.0.1:9464</c>.
    /// Default empty: no metrics listener. See docs/metrics.md.
    /// </summary>
    public string MetricsListen { get; set; } = "";

    /// <summary>
    /// Directory for the SQLite state database (<c>coordinator.db</c>) and the log files (<c>logs/</c>).
    /// Default <c>$XDG_DATA_HOME/mlops/coordinator</c>, or <c>~/.local/share/mlops/coordinator</c> when
    /// XDG_DATA_HOME is not set.
    /// </summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>How long an agent's lease lasts after its last message. Default 15 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often agents are told to send a heartbeat; must be well below <see cref="LeaseDuration"/>. Default 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a job saves a checkpoint when its spec sets no <c>checkpoint</c> policy; zero turns periodic
    /// checkpoints off by default. Default 5 min.</summary>
    public TimeSpan CheckpointEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a job may be started when its spec says 0. Default 3.</summary>
    public int DefaultMaxAttempts { get; set; } = 3;

    /// <summary>How often the scheduler runs even when nothing triggered it. Default 2 s.</summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait before retrying a failed attempt; doubles per failed attempt, at most 5 min. Default 10 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the deployment reconciler runs even when nothing triggered it (it also follows aliases
    /// moved through the registry on this beat at the latest). Default 1 s.</summary>
    public TimeSpan DeploymentInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many stored events <c>WatchJob</c> reads from the database at a time while replaying. Default 500.</summary>
    public int MaxEventsPerWatchBatch { get; set; } = 500;

    /// <summary>
    /// Where the coordinator keeps its state: <c>sqlite</c> (a file in <see cref="DataDirectory"/>, for a single
    /// coordinator) or <c>postgres</c> (a database that several coordinators can share). Default <c>sqlite</c>.
    /// </summary>
    public string Store { get; set; } = SqliteStore;

    /// <summary>
    /// Npgsql connection string of the state database, required when <see cref="Store"/> is <c>postgres</c>, e.g.
    /// <c>Host=db.example;Port=5432;Database=mlops;Username=mlops;Password=...</c>. Never logged: logs show only host,
    /// port and database. No default.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>API tokens, roles and the audit log (<c>Coordinator:Auth</c>); authentication is off unless
    /// <c>Coordinator:Auth:Enabled</c> is true, which a listener beyond loopback requires.</summary>
    public MlOps.Coordinator.Access.AccessOptions Auth { get; set; } = new();

    /// <summary>Following agent health in Consul; off unless <c>Coordinator:Consul:Address</c> is set.</summary>
    public CoordinatorConsulOptions Consul { get; set; } = new();

    /// <summary>Several coordinators on one PostgreSQL store with an elected leader; off by default.</summary>
    public MlOps.Coordinator.HighAvailability.HighAvailabilityOptions HighAvailability { get; set; } = new();

    /// <summary>How long an agent reported critical by Consul must also have been silent before it is LOST.</summary>
    public TimeSpan ConsulSilenceBeforeLoss => Consul.SilenceBeforeLoss ?? HeartbeatInterval * 2;

    /// <summary>Full path of the SQLite database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "coordinator.db");

    /// <summary>Directory of the rolling log files.</summary>
    public string LogDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>The default <see cref="DataDirectory"/>, following the XDG base directory convention.</summary>
    public static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrWhiteSpace(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "mlops", "coordinator");
    }
}
