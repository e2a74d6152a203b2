using MlOps.Discovery.Services;

namespace MlOps.Discovery.Health;

/// <summary>One instance of a service with its node and every check that applies to it (the node's
/// <c>serfHealth</c> included), from <c>GET /v1/health/service/:service</c>.</summary>
public sealed record ServiceHealth
{
    public required string Node { get; init; }

    public required string NodeAddress { get; init; }

    public required string ServiceId { get; init; }

    public required string ServiceName { get; init; }

    /// <summary>The service's own address, or the node's when the service registered none (as Consul advises).</summary>
    public required string Address { get; init; }

    public int Port { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<HealthCheckInfo> Checks { get; init; } = [];

    /// <summary>The worst state of <see cref="Checks"/>: critical and maintenance beat warning, which beats
    /// passing; passing when there are no checks.</summary>
    public CheckStatus AggregateStatus =>
        Checks.Count == 0 ? CheckStatus.Passing : Checks.Select(c => c.Status).MaxBy(Severity);

    private static int Severity(CheckStatus status) => status switch
    {
        CheckStatus.Passing => 0,
        CheckStatus.Warning => 1,
        CheckStatus.Critical => 2,
        _ => 3,
    };
}

/// <summary>A check's state and last output.</summary>
public sealed record HealthCheckInfo(string CheckId, string Name, CheckStatus Status, string Output, string ServiceId);

/// <summary>Which instances a health query returns.</summary>
public sealed record HealthFilter
{
    /// <summary>Only instances whose checks all pass (<c>?passing</c>).</summary>
    public bool PassingOnly { get; init; }

    /// <summary>Only instances carrying every one of these tags (repeated <c>?tag=</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public static HealthFilter Passing { get; } = new() { PassingOnly = true };
}
