namespace MlOps.Coordinator.Access;

/// <summary>
/// Authentication and authorisation of callers: <see cref="Configuration.CoordinatorOptions.Auth"/>, section
/// <c>Coordinator:Auth</c> (docs/security.md), checked with the rest of the coordinator's options. Off by default,
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

    /// <summary>
    /// Every problem with these settings and with how they fit <paramref name="listen"/>: authentication needs TLS
    /// (agents prove who they are with their certificate), and a listener beyond loopback needs authentication (TLS
    /// alone lets anyone without a certificate in). Each message starts with its configuration key.
    /// </summary>
    internal IEnumerable<string> Problems(MlOps.Coordinator.Configuration.ListenAddress? listen, string listenText)
    {
        if (listen is not null && Enabled && !listen.IsHttps)
        {
            yield return $"{SectionName}:{nameof(Enabled)} needs TLS: agents prove who they are with their cluster " +
                $"certificate, so listen on https:// with Coordinator:Tls set (docs/security.md); Coordinator:Listen is '{listenText}'";
        }
        else if (listen is not null && !Enabled && !listen.IsLoopback)
        {
            yield return $"{SectionName}:{nameof(Enabled)} must be true when Coordinator:Listen ('{listenText}') " +
                "reaches beyond this machine: without it anyone who can connect may do anything (docs/security.md)";
        }

        if (CacheRefresh < TimeSpan.FromMilliseconds(100) || CacheRefresh > TimeSpan.FromHours(1))
        {
            yield return $"{SectionName}:{nameof(CacheRefresh)} must be between 100 ms and 1 hour, got {CacheRefresh}";
        }

        if (!string.IsNullOrWhiteSpace(BootstrapTokenFile) && !Path.IsPathFullyQualified(BootstrapTokenFile))
        {
            yield return $"{SectionName}:{nameof(BootstrapTokenFile)} must be an absolute path, got '{BootstrapTokenFile}'";
        }
    }
}
