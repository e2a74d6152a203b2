namespace MlOps.Discovery.Services;

/// <summary>
/// One health check of a registered service: a TTL check the service reports to itself, or an HTTP or gRPC check
/// the agent runs every <see cref="Interval"/>. Exactly one of <see cref="Ttl"/>, <see cref="Http"/> and
/// <see cref="Grpc"/> is set; the factory methods fill the rest.
/// </summary>
public sealed record CheckDefinition
{
    /// <summary>The check's id on the agent; TTL updates address it. Set it: Consul's generated ids depend on the
    /// check's position in the registration.</summary>
    public string? CheckId { get; init; }

    public string? Name { get; init; }

    public string? Notes { get; init; }

    /// <summary>TTL check: critical unless passed (or warned) again within this time.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>HTTP check URL: 2xx is passing, 429 warning, anything else critical.</summary>
    public string? Http { get; init; }

    /// <summary>HTTP method of an HTTP check; null is GET.</summary>
    public string? HttpMethod { get; init; }

    /// <summary>Skip TLS certificate verification of an https:// HTTP check.</summary>
    public bool TlsSkipVerify { get; init; }

    /// <summary>gRPC check target <c>host:port</c> or <c>host:port/service</c> (standard grpc.health.v1).</summary>
    public string? Grpc { get; init; }

    public bool GrpcUseTls { get; init; }

    /// <summary>How often the agent runs an HTTP or gRPC check (Consul's minimum is 1 s).</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Limit of one HTTP or gRPC check run; null is Consul's 10 s.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Deregisters the whole service once this check has been critical this long. Consul raises values
    /// under 1 minute to 1 minute, and its reaper looks every 30 s, so removal comes up to 30 s later.</summary>
    public TimeSpan? DeregisterCriticalServiceAfter { get; init; }

    /// <summary>State when registered; null is Consul's default, critical (a TTL check must be passed first).</summary>
    public CheckStatus? InitialStatus { get; init; }

    public static CheckDefinition ForTtl(string checkId, TimeSpan ttl) => new() { CheckId = checkId, Name = checkId, Ttl = ttl };

    public static CheckDefinition ForHttp(string checkId, string url, TimeSpan interval) =>
        new() { CheckId = checkId, Name = checkId, Http = url, Interval = interval };

    public static CheckDefinition ForGrpc(string checkId, string target, TimeSpan interval) =>
        new() { CheckId = checkId, Name = checkId, Grpc = target, Interval = interval };

    internal void AddErrors(string at, List<string> errors)
    {
        var kinds = (Ttl is null ? 0 : 1) + (Http is null ? 0 : 1) + (Grpc is null ? 0 : 1);
        if (kinds != 1)
        {
            errors.Add($"{at}: exactly one of Ttl, Http and Grpc must be set, got {kinds}");
        }

        if (Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            errors.Add($"{at}: Ttl must be positive, got {ttl}");
        }

        if (Http is not null && !(Uri.TryCreate(Http, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"{at}: Http must be an http:// or https:// URL, got '{Http}'");
        }

        if (Grpc is not null && (Grpc.Length == 0 || Grpc.Contains("://", StringComparison.Ordinal)))
        {
            errors.Add($"{at}: Grpc must be host:port or host:port/service, got '{Grpc}'");
        }

        if ((Http is not null || Grpc is not null) && (Interval is null || Interval <= TimeSpan.Zero))
        {
            errors.Add($"{at}: HTTP and gRPC checks need a positive Interval");
        }

        if (Ttl is not null && Interval is not null)
        {
            errors.Add($"{at}: a TTL check takes no Interval");
        }

        foreach (var (field, value) in new[] { ("Timeout", Timeout), ("DeregisterCriticalServiceAfter", DeregisterCriticalServiceAfter) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{at}: {field} must be positive when set, got {value}");
            }
        }
    }
}
