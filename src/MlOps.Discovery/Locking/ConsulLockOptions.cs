using MlOps.Discovery.Sessions;

namespace MlOps.Discovery.Locking;

/// <summary>Settings of a <see cref="ConsulLock"/>; the defaults follow Consul's leader-election guide.</summary>
public sealed record ConsulLockOptions
{
    /// <summary>The KV key that is the lock, e.g. <c>service/mlops-coordinator/leader</c> (the guide's pattern).</summary>
    public required string Key { get; init; }

    /// <summary>Written to the key on acquire, so followers can read who leads (an address, say). Default empty.</summary>
    public ReadOnlyMemory<byte> Value { get; init; }

    public string SessionName { get; init; } = "mlops-lock";

    /// <summary>Session TTL; renewed every half of it. Consul may keep a session up to twice this after the
    /// holder dies, so failover takes between one and two TTLs plus <see cref="LockDelay"/>. Default 15 s.</summary>
    public TimeSpan SessionTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>After the holder's session is invalidated, nobody can take the key for this long, so a holder that
    /// has not noticed yet stops before another starts. 0-60 s; default 15 s (Consul's).</summary>
    public TimeSpan LockDelay { get; init; } = TimeSpan.FromSeconds(15);

    public SessionBehavior Behavior { get; init; } = SessionBehavior.Release;

    /// <summary>Checks that also invalidate the session; null keeps Consul's default (the node's serfHealth).</summary>
    public IReadOnlyList<string>? SessionChecks { get; init; }

    /// <summary>Wait of each blocking read of the key (by followers, and by the leader watching for loss).
    /// Default 30 s.</summary>
    public TimeSpan WatchWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause before trying again when an unlocked key refuses us (lock-delay) or a watch fails.
    /// Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Key) || Key.Trim('/').Length == 0)
        {
            errors.Add("Key must name a KV key");
        }

        if (SessionTtl <= TimeSpan.Zero || SessionTtl > TimeSpan.FromDays(1))
        {
            errors.Add($"SessionTtl must be positive and at most 24 h, got {SessionTtl}");
        }

        if (LockDelay < TimeSpan.Zero || LockDelay > TimeSpan.FromSeconds(60))
        {
            errors.Add($"LockDelay must be 0-60 s, got {LockDelay}");
        }

        if (WatchWait <= TimeSpan.Zero || WatchWait > QueryOptions.MaxWait)
        {
            errors.Add($"WatchWait must be positive and at most {QueryOptions.MaxWait}, got {WatchWait}");
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            errors.Add($"RetryDelay must be positive, got {RetryDelay}");
        }

        return errors;
    }
}

/// <summary>Why a <see cref="ConsulLock"/> stopped being the leader without being released.</summary>
public sealed class LeadershipLostEventArgs(string key, string sessionId, string reason) : EventArgs
{
    public string Key { get; } = key;

    public string SessionId { get; } = sessionId;

    public string Reason { get; } = reason;
}
