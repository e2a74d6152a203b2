using MlOps.Discovery;

namespace MlOps.Coordinator.HighAvailability;

/// <summary>Finds the leader's address: the value of the lock key while a session holds it. Cached for a second, so a
/// burst of refused calls costs one Consul read.</summary>
internal sealed class LeaderLocator(IConsulClient consul, HighAvailabilityOptions options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private (string? Leader, long At) _cached = (null, long.MinValue);

    /// <summary>This coordinator's advertised address, once the server has bound it.</summary>
    public string? Self { get; set; }

    public async Task<string?> FindAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached.At != long.MinValue && time.GetElapsedTime(cached.At) < CacheFor)
        {
            return cached.Leader;
        }

        string? leader = null;
        try
        {
            var entry = (await consul.GetKeyAsync(options.LockKey, cancellationToken: cancellationToken)).Value;
            if (entry is { IsLocked: true } && entry.Value.Length > 0)
            {
                leader = entry.ValueAsString();
            }
        }
        catch (ConsulException)
        {
            // Consul unreachable: no redirect; the client tries its other addresses.
        }

        _cached = (leader, time.GetTimestamp());
        return leader;
    }
}
