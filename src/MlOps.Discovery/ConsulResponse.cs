namespace MlOps.Discovery;

/// <summary>The value of a read and Consul's metadata about it.</summary>
/// <param name="Value">The data read.</param>
/// <param name="Index">The index to pass as <see cref="QueryOptions.WaitIndex"/> next: <c>X-Consul-Index</c>, or
/// 0 when it went backwards (<see cref="IndexReset"/>), so the next query reads afresh instead of blocking on an
/// index the server will not reach.</param>
/// <param name="KnownLeader"><c>X-Consul-KnownLeader</c>: whether the answering server knew a leader.</param>
/// <param name="LastContact"><c>X-Consul-LastContact</c>: how long since that server heard from the leader.</param>
public sealed record ConsulResponse<T>(T Value, ulong Index, bool KnownLeader, TimeSpan LastContact)
{
    /// <summary>True when Consul's index was lower than the one sent (data restored or the agent restarted).</summary>
    public bool IndexReset { get; init; }
}
