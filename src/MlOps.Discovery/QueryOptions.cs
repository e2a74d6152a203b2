namespace MlOps.Discovery;

/// <summary>Read options of Consul's blocking endpoints (health, KV, session info).</summary>
public sealed record QueryOptions
{
    /// <summary>Consul's cap on a blocking wait.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    /// <summary>Consul's wait when a blocking query names none; sent explicitly so the client's timeout agrees.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);

    /// <summary>0 (default) reads at once; otherwise the query blocks until the data's index passes this one or
    /// the wait ends. Pass <see cref="ConsulResponse{T}.Index"/> of the previous answer.</summary>
    public ulong WaitIndex { get; init; }

    /// <summary>Longest wait of a blocking query (Consul adds up to wait/16 of jitter); null is
    /// <see cref="DefaultWait"/>. At most <see cref="MaxWait"/>.</summary>
    public TimeSpan? WaitTime { get; init; }

    public ConsulConsistency Consistency { get; init; } = ConsulConsistency.Default;

    public bool IsBlocking => WaitIndex > 0;

    /// <summary>The wait actually sent with a blocking query.</summary>
    public TimeSpan EffectiveWait => WaitTime ?? DefaultWait;

    public static QueryOptions Blocking(ulong index, TimeSpan wait) => new() { WaitIndex = index, WaitTime = wait };
}

/// <summary>Consul's read consistency modes.</summary>
public enum ConsulConsistency
{
    /// <summary>Served by the leader, which may be stale for a moment after losing leadership.</summary>
    Default,

    /// <summary><c>?consistent</c>: the leader confirms its leadership first (one more round trip).</summary>
    Consistent,

    /// <summary><c>?stale</c>: any server answers, usually within 50 ms of the leader; works without a leader.</summary>
    Stale,
}
