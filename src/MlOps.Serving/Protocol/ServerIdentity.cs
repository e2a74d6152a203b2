namespace MlOps.Serving.Protocol;

/// <summary>What ServerMetadata (gRPC) and <c>GET /v2</c> report.</summary>
internal static class ServerIdentity
{
    /// <summary>
    /// Extensions actually served. perf_analyzer collects server-side statistics only when "statistics" is listed,
    /// so list only what works end to end.
    /// </summary>
    public static IReadOnlyList<string> Extensions { get; } =
        ["binary_tensor_data", "model_repository", "statistics", "model_configuration"];
}
