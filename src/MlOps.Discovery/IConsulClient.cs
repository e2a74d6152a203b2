using MlOps.Discovery.Health;
using MlOps.Discovery.KeyValue;
using MlOps.Discovery.Services;
using MlOps.Discovery.Sessions;

namespace MlOps.Discovery;

/// <summary>
/// The parts of Consul's HTTP API that service discovery and leader election need. Every call throws
/// <see cref="ConsulException"/> when Consul refuses it or cannot be reached after the configured retries.
/// </summary>
public interface IConsulClient
{
    /// <summary>Registers (or re-registers) a service instance and its checks with the local agent.</summary>
    /// <exception cref="ArgumentException">The registration is invalid; the message lists every problem.</exception>
    Task RegisterServiceAsync(ServiceRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>Removes a service instance and its checks from the local agent; no error if it is not there.</summary>
    Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default);

    /// <summary>Sets a TTL check's state and output and restarts its TTL (<c>/v1/agent/check/update/:id</c>).</summary>
    Task UpdateTtlCheckAsync(string checkId, CheckStatus status, string? output = null, CancellationToken cancellationToken = default);

    /// <summary>Instances of a service with their health; blocks when <paramref name="query"/> carries an index.</summary>
    Task<ConsulResponse<IReadOnlyList<ServiceHealth>>> GetServiceHealthAsync(
        string service, HealthFilter? filter = null, QueryOptions? query = null, CancellationToken cancellationToken = default);

    /// <summary>A key, or a null value when it does not exist (the index still comes back, so a caller can
    /// block until it is created).</summary>
    Task<ConsulResponse<KvEntry?>> GetKeyAsync(string key, QueryOptions? query = null, CancellationToken cancellationToken = default);

    /// <summary>Writes a key. With <paramref name="cas"/>, only if its ModifyIndex still equals it (0: only if the key
    /// does not exist). A plain write overwrites even a locked key: locks are advisory.</summary>
    /// <returns>False when the check-and-set did not match.</returns>
    Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key; with <paramref name="cas"/> only if its ModifyIndex still equals it (must be &gt; 0).</summary>
    /// <returns>False when the check-and-set did not match.</returns>
    Task<bool> DeleteKeyAsync(string key, ulong? cas = null, CancellationToken cancellationToken = default);

    /// <summary>Takes a key's lock for a session and writes <paramref name="value"/>
    /// (<c>?acquire=</c>).</summary>
    /// <returns>False when another session holds it, or the lock-delay of an invalidated holder has not passed.</returns>
    Task<bool> AcquireKeyAsync(string key, string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Gives up a key's lock held by the session (<c>?release=</c>); Consul stores <paramref name="value"/>
    /// as the key's value, so pass the value to keep.</summary>
    /// <returns>False when the session did not hold the lock.</returns>
    Task<bool> ReleaseKeyAsync(string key, string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Creates a session and returns its id.</summary>
    /// <exception cref="ArgumentException">The request is invalid; the message lists every problem.</exception>
    Task<string> CreateSessionAsync(SessionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Restarts a session's TTL; the answer's TTL may be higher than requested.</summary>
    /// <exception cref="ConsulSessionExpiredException">The session no longer exists.</exception>
    Task<SessionInfo> RenewSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Destroys a session, releasing or deleting its keys; no error if it is already gone.</summary>
    Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>A session, or a null value when it does not exist.</summary>
    Task<ConsulResponse<SessionInfo?>> GetSessionAsync(string sessionId, QueryOptions? query = null, CancellationToken cancellationToken = default);

    /// <summary>The Raft leader's address (<c>/v1/status/leader</c>), empty while there is none.</summary>
    Task<string> GetLeaderAsync(CancellationToken cancellationToken = default);
}
