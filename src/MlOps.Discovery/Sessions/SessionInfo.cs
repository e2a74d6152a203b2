namespace MlOps.Discovery.Sessions;

/// <summary>A session as Consul reports it (<c>/v1/session/info</c>, <c>/v1/session/renew</c>).</summary>
/// <param name="Id">The session's UUID.</param>
/// <param name="Name">The name given at creation.</param>
/// <param name="Node">The node the session belongs to.</param>
/// <param name="Checks">Checks whose failure invalidates it.</param>
/// <param name="LockDelay">How long its locks stay blocked after invalidation (nanoseconds on the wire).</param>
/// <param name="Behavior">What invalidation does to its keys.</param>
/// <param name="Ttl">The TTL in force; after a renewal it can be higher than requested (Consul under load asks
/// clients to renew less often). Null for a session without TTL.</param>
/// <param name="CreateIndex">The index that created it.</param>
/// <param name="ModifyIndex">The index of its last change.</param>
public sealed record SessionInfo(
    string Id,
    string Name,
    string Node,
    IReadOnlyList<string> Checks,
    TimeSpan LockDelay,
    SessionBehavior Behavior,
    TimeSpan? Ttl,
    ulong CreateIndex,
    ulong ModifyIndex);
