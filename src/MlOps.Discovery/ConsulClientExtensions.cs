using MlOps.Discovery.Services;

namespace MlOps.Discovery;

/// <summary>Shorthands for TTL checks, in the words of Consul's pass/warn/fail endpoints.</summary>
public static class ConsulClientExtensions
{
    public static Task PassTtlAsync(this IConsulClient client, string checkId, string? output = null, CancellationToken cancellationToken = default) =>
        client.UpdateTtlCheckAsync(checkId, CheckStatus.Passing, output, cancellationToken);

    public static Task WarnTtlAsync(this IConsulClient client, string checkId, string? output = null, CancellationToken cancellationToken = default) =>
        client.UpdateTtlCheckAsync(checkId, CheckStatus.Warning, output, cancellationToken);

    public static Task FailTtlAsync(this IConsulClient client, string checkId, string? output = null, CancellationToken cancellationToken = default) =>
        client.UpdateTtlCheckAsync(checkId, CheckStatus.Critical, output, cancellationToken);
}
