namespace MlOps.Discovery.Sessions;

/// <summary>What happens to keys a session holds when the session is invalidated.</summary>
public enum SessionBehavior
{
    /// <summary>The locks are released; the keys stay (Consul's default).</summary>
    Release,

    /// <summary>The keys are deleted (ephemeral entries).</summary>
    Delete,
}

/// <summary>A session to create (<c>PUT /v1/session/create</c>).</summary>
public sealed record SessionRequest
{
    public string? Name { get; init; }

    /// <summary>Invalidates the session unless renewed within this time (10 s to 24 h with Consul's defaults; the
    /// agent's <c>session_ttl_min</c> sets the lower bound). Consul may take up to twice this to notice. Null: no TTL,
    /// the session lives as long as its checks pass.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>After invalidation, locks the session held cannot be acquired again for this long (0 to 60 s);
    /// null is Consul's 15 s, zero disables it.</summary>
    public TimeSpan? LockDelay { get; init; }

    public SessionBehavior Behavior { get; init; } = SessionBehavior.Release;

    /// <summary>Check ids whose failure invalidates the session. Null keeps Consul's default (the node's
    /// <c>serfHealth</c>); an empty list ties the session to its TTL alone.</summary>
    public IReadOnlyList<string>? Checks { get; init; }

    /// <summary>Node the session belongs to; null is the agent's node.</summary>
    public string? Node { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Ttl is { } ttl && (ttl <= TimeSpan.Zero || ttl > TimeSpan.FromDays(1)))
        {
            errors.Add($"Ttl must be positive and at most 24 h, got {ttl}");
        }

        if (LockDelay is { } delay && (delay < TimeSpan.Zero || delay > TimeSpan.FromSeconds(60)))
        {
            errors.Add($"LockDelay must be 0-60 s, got {delay}");
        }

        if (Checks?.Any(string.IsNullOrWhiteSpace) == true)
        {
            errors.Add("Checks must not contain empty ids");
        }

        return errors;
    }
}
