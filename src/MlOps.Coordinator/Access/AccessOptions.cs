using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.Access;

/// <summary>
/// Authentication and authorisation of callers, bound from <c>Coordinator:Auth</c> (docs/security.md). Off by default,
/// which is allowed only while the coordinator listens on loopback; on, every call but the gRPC health check needs an
/// API token (<c>authorization: Bearer ...</c>) or, for agents, their cluster certificate.
/// </summary>
public sealed class AccessOptions
{
    public const string SectionName = "Coordinator:Auth";

    /// <summary>Require a token or an agent certificate on every call. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Where the first admin token's secret is written (mode 0600) when authentication is on and the store holds no
    /// token yet. Default <c>admin.token</c> in <c>Coordinator:DataDirectory</c>. Delete the file once you have made
    /// your own tokens; revoke the token with <c>mlops token revoke</c>.
    /// </summary>
    public string BootstrapTokenFile { get; set; } = "";

    /// <summary>How often the token cache is reloaded from the store (a token revoked through another coordinator of
    /// the same database is refused within this). Default 10 s.</summary>
    public TimeSpan CacheRefresh { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Checks <see cref="AccessOptions"/>, and that they fit how the coordinator listens: authentication needs TLS (agents
/// prove who they are with their certificate), and a coordinator reachable beyond loopback needs authentication (TLS
/// alone lets anyone without a certificate in). A bad <c>Coordinator:Listen</c> is left to the coordinator's own
/// validation; so is a host without configuration (a test's).
/// </summary>
internal sealed class AccessOptionsValidator(IConfiguration? configuration) : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = new List<string>();
        var coordinator = new CoordinatorOptions();
        configuration?.GetSection(CoordinatorOptions.SectionName).Bind(coordinator);
        if (configuration is not null && ListenAddress.TryParse(coordinator.Listen, out var listen, out _))
        {
            if (options.Enabled && !listen.IsHttps)
            {
                errors.Add($"{AccessOptions.SectionName}:{nameof(options.Enabled)} needs TLS: agents prove who they are with their cluster " +
                    $"certificate, so listen on https:// with Coordinator:Tls set (docs/security.md); Coordinator:Listen is '{coordinator.Listen}'");
            }
            else if (!options.Enabled && !listen.IsLoopback)
            {
                errors.Add($"{AccessOptions.SectionName}:{nameof(options.Enabled)} must be true when Coordinator:Listen ('{coordinator.Listen}') " +
                    "reaches beyond this machine: without it anyone who can connect may do anything (docs/security.md)");
            }
        }

        if (options.CacheRefresh < TimeSpan.FromMilliseconds(100) || options.CacheRefresh > TimeSpan.FromHours(1))
        {
            errors.Add($"{AccessOptions.SectionName}:{nameof(options.CacheRefresh)} must be between 100 ms and 1 hour, got {options.CacheRefresh}");
        }

        if (!string.IsNullOrWhiteSpace(options.BootstrapTokenFile) && !Path.IsPathFullyQualified(options.BootstrapTokenFile))
        {
            errors.Add($"{AccessOptions.SectionName}:{nameof(options.BootstrapTokenFile)} must be an absolute path, got '{options.BootstrapTokenFile}'");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
