namespace MlOps.Coordinator.HighAvailability;

/// <summary>
/// Several coordinators sharing one PostgreSQL store, one of them leading (docs/coordinator.md, "High availability"),
/// bound from <c>Coordinator:HighAvailability</c>. Off by default: a single coordinator leads from the start.
/// </summary>
public sealed class HighAvailabilityOptions
{
    /// <summary>Elect a leader through a Consul lock. Needs <c>Coordinator:Consul:Address</c> and
    /// <c>Coordinator:Store=postgres</c>. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The Consul KV key that is the lock; its value is the leader's address. All coordinators of one
    /// cluster use the same key. Default <c>service/mlops-coordinator/leader</c>.</summary>
    public string LockKey { get; set; } = "service/mlops-coordinator/leader";

    /// <summary>
    /// The address agents and clients reach this coordinator at (followers redirect to the leader's), e.g.
    /// <c>http://10.0.0.5:7070</c>. Default: the address the server bound (<c>Coordinator:Listen</c> with port 0
    /// resolved), which is right unless it listens on every interface.
    /// </summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>TTL of the leader's Consul session. The session is also tied to the coordinator's gRPC health check,
    /// so a killed leader loses it within about <see cref="CheckInterval"/>; the TTL covers a hung one. 10 s - 1 h;
    /// default 10 s.</summary>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After the leader's session ends nobody may take the lock for this long, so an old leader that has not
    /// noticed yet stops first. 0 - 60 s; default 2 s.</summary>
    public TimeSpan LockDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often Consul checks the coordinator's gRPC health endpoint. 1 - 60 s; default 1 s.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
