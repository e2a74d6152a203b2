namespace MlOps.Coordinator.Configuration;

/// <summary>
/// Following agent health in Consul, bound from <c>Coordinator:Consul</c> (docs/discovery.md, "In the cluster"). The
/// same section is bound to the Consul client's <see cref="MlOps.Discovery.ConsulOptions"/> too, so
/// <c>Coordinator:Consul:Token</c>, <c>Datacenter</c>, <c>RequestTimeout</c> and <c>Retry</c> are set there. Unless
/// <see cref="Address"/> is set the coordinator does not use Consul, and only leases detect lost agents.
/// </summary>
public sealed class CoordinatorConsulOptions
{
    public const string SectionName = CoordinatorOptions.SectionName + ":Consul";

    /// <summary>The local Consul agent's HTTP API, e.g. <c>http://127.0.0.1:8500</c>. Empty (default): no Consul.</summary>
    public string Address { get; set; } = "";

    /// <summary>
    /// Consul's verdict (an agent's check critical, or its service gone) makes the agent LOST only once the coordinator
    /// has also heard nothing from it on its stream for this long, so an agent that merely cannot reach Consul keeps
    /// its jobs. At least <see cref="CoordinatorOptions.HeartbeatInterval"/>. Default (null): two heartbeat intervals.
    /// </summary>
    public TimeSpan? SilenceBeforeLoss { get; set; }

    /// <summary>Longest wait of one blocking health query (Consul answers earlier on any change). Default 1 min.</summary>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Address);
}
