using System.Text;

namespace MlOps.Discovery;

/// <summary>
/// How <see cref="ConsulClient"/> reaches a Consul agent; bound from the <c>Consul</c> configuration section and
/// validated at start-up (every error at once).
/// </summary>
public sealed record ConsulOptions
{
    public const string SectionName = "Consul";

    /// <summary>The local agent's HTTP API. Default <c>http://127.0.0.1:8500</c>, Consul's own default.</summary>
    public string Address { get; init; } = "http://127.0.0.1:8500";

    /// <summary>ACL token sent as <c>X-Consul-Token</c> on every request; null (default) uses the agent's default
    /// token. Never logged, and left out of <see cref="ToString"/>.</summary>
    public string? Token { get; init; }

    /// <summary>Datacenter for catalog, health, KV and session requests (<c>?dc=</c>); null (default) is the agent's
    /// own. Agent endpoints (registration, TTL updates) always act on the local agent.</summary>
    public string? Datacenter { get; init; }

    /// <summary>Limit of one request that does not block. Blocking queries get their wait plus Consul's jitter
    /// (wait/16) on top of this. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of connection errors and 5xx answers; 4xx answers are never retried.</summary>
    public ConsulRetryOptions Retry { get; init; } = new();

    // Records print every property; the token is a secret, so it is replaced.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Address = ").Append(Address)
            .Append(", Token = ").Append(Token is null ? "(none)" : "***")
            .Append(", Datacenter = ").Append(Datacenter ?? "(agent's)")
            .Append(", RequestTimeout = ").Append(RequestTimeout)
            .Append(", Retry = ").Append(Retry);
        return true;
    }
}

/// <summary>Capped exponential backoff with jitter between attempts of one request.</summary>
public sealed record ConsulRetryOptions
{
    /// <summary>Attempts in all, the first included; 1 disables retries. Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Ceiling of the first delay; each later ceiling doubles. Default 200 ms.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap of any delay. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
}
