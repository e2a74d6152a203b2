namespace MlOps.Discovery.Services;

/// <summary>A health check's state, as Consul names it.</summary>
public enum CheckStatus
{
    Passing,
    Warning,
    Critical,

    /// <summary>The service or node is in maintenance mode (Consul's <c>maintenance</c>).</summary>
    Maintenance,
}

internal static class CheckStatusText
{
    public static string ToWire(CheckStatus status) => status switch
    {
        CheckStatus.Passing => "passing",
        CheckStatus.Warning => "warning",
        CheckStatus.Critical => "critical",
        CheckStatus.Maintenance => "maintenance",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown check status"),
    };

    /// <summary>Unknown words read as critical: a state this client does not understand is not healthy.</summary>
    public static CheckStatus Parse(string? text) => text switch
    {
        "passing" => CheckStatus.Passing,
        "warning" => CheckStatus.Warning,
        "maintenance" => CheckStatus.Maintenance,
        _ => CheckStatus.Critical,
    };
}
