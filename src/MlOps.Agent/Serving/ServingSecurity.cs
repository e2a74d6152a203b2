using System.Security.Cryptography.X509Certificates;
using MlOps.Agent.Options;
using MlOps.Core.Certificates;
using MlOps.Serving.Authentication;

namespace MlOps.Agent.Serving;

/// <summary>
/// How the agent's inference endpoints are secured (docs/security.md ("Inference endpoint authentication")): the auth mode from
/// <c>Agent:Serving:Auth</c>, and TLS with <c>Agent:Serving:Tls</c>'s files, or <c>Agent:Tls</c>'s when the mode
/// accepts client certificates and the serving section names none. TLS is on exactly when files were found that
/// way, and then every listen and advertise address is <c>https://</c>.
/// </summary>
/// <param name="Mode">Who may call.</param>
/// <param name="Tls">The files of the endpoints' TLS, or null for plaintext.</param>
/// <param name="TlsSection">The configuration section <paramref name="Tls"/> came from, for messages.</param>
internal sealed record ServingSecurity(InferenceAuthMode Mode, TlsFiles? Tls, string TlsSection)
{
    public const string AuthKey = "Agent:Serving:Auth";

    public const string ServingTlsSection = "Agent:Serving:Tls";

    public const string AgentTlsSection = "Agent:Tls";

    public bool UsesTls => Tls is not null;

    /// <summary><c>https</c> with TLS, else <c>http</c>: the scheme of every listen and advertise address.</summary>
    public string Scheme => UsesTls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;

    /// <summary>The security <paramref name="options"/> ask for (an unknown mode reads as <c>none</c>; <see cref="Problems"/> reports it).</summary>
    public static ServingSecurity From(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mode = InferenceAuthModes.TryParse(options.Serving.Auth, out var parsed) ? parsed : InferenceAuthMode.None;
        if (options.Serving.Tls is { Enabled: true } own)
        {
            return new ServingSecurity(mode, own, ServingTlsSection);
        }

        return mode.AcceptsCertificates() && options.Tls is { Enabled: true } agentTls
            ? new ServingSecurity(mode, agentTls, AgentTlsSection)
            : new ServingSecurity(mode, null, ServingTlsSection);
    }

    /// <summary>
    /// Every problem with the serving section's addresses, auth mode and TLS files, each naming its key: an unknown
    /// mode; a mode that accepts certificates without TLS; files that are incomplete, unreadable, not from the CA, or a
    /// certificate without serverAuth; a listen or advertise address whose scheme disagrees with TLS.
    /// </summary>
    public static IReadOnlyList<string> Problems(AgentOptions options)
    {
        var errors = new List<string>();
        var serving = options.Serving;
        if (!InferenceAuthModes.TryParse(serving.Auth, out _))
        {
            errors.Add($"{AuthKey} must be one of {string.Join(", ", InferenceAuthModes.Names)}, got '{serving.Auth}'");
        }

        var security = From(options);
        if (security.Mode.AcceptsCertificates() && !security.UsesTls)
        {
            errors.Add($"{AuthKey} '{security.Mode.Name()}' needs TLS: set {ServingTlsSection}:CertificateFile, KeyFile and AuthorityFile (or {AgentTlsSection}'s)");
        }

        if (serving.Enabled && security.Tls is { } tls)
        {
            errors.AddRange(CertificateProblems(tls, security.TlsSection));
        }

        var scheme = security.Scheme;
        var tlsSays = security.UsesTls ? $"TLS is on ({security.TlsSection})" : $"TLS is off (set {ServingTlsSection} to turn it on)";
        foreach (var (key, value) in new[] { ("GrpcListen", serving.GrpcListen), ("RestListen", serving.RestListen) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!ListenAddress.TryParse(value, out _, out var https))
            {
                errors.Add($"Agent:Serving:{key} must be {scheme}://HOST:PORT with an IP address or localhost, got '{value}'");
            }
            else if (https != security.UsesTls)
            {
                errors.Add($"Agent:Serving:{key} must be {scheme}://HOST:PORT since {tlsSays}, got '{value}'");
            }
        }

        foreach (var (key, value) in new[] { ("GrpcAdvertise", serving.GrpcAdvertise), ("RestAdvertise", serving.RestAdvertise) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !(Uri.TryCreate(value, UriKind.Absolute, out var advertised) && advertised.Scheme == scheme))
            {
                errors.Add($"Agent:Serving:{key} must be an {scheme}://HOST:PORT address{(security.UsesTls ? " since " + tlsSays : "")}, got '{value}'");
            }
        }

        return errors;
    }

    /// <summary>
    /// The files' own checks (<see cref="TlsFiles.Problems"/>), then serverAuth, which an agent's certificate has only
    /// when issued for serving; the advice names that option rather than another role. <c>Agent:Tls</c>'s own
    /// problems are reported by the options validator already, so they are not repeated here.
    /// </summary>
    private static IEnumerable<string> CertificateProblems(TlsFiles tls, string section)
    {
        var problems = tls.Problems(section, ClusterRoles.ClientAuthentication);
        if (problems.Count > 0)
        {
            return section == AgentTlsSection ? [] : problems;
        }

        try
        {
            using var credentials = tls.Load();
            return ClusterTrust.Verify(credentials.Certificate, credentials.Authority, ClusterRoles.ServerAuthentication).Trusted
                ? []
                : [$"{section}:CertificateFile {tls.CertificateFile} lacks the serverAuth extended key usage ({credentials.Certificate.Subject}), so it cannot serve TLS; issue one with mlops certs issue NAME --role agent --serving --dns HOST"];
        }
        catch (CertificateException ex)
        {
            return [$"{section}: {ex.Message}"];
        }
    }

    /// <summary>The certificate and CA of the endpoints, or null without TLS.</summary>
    public TlsCredentials? LoadCredentials() => Tls?.Load();

    /// <summary>What the endpoints check callers with; the CA is needed only when certificates are accepted.</summary>
    public InferenceAuthenticationOptions AuthenticationOptions(X509Certificate2? authority) => new()
    {
        Mode = Mode,
        ClientAuthority = Mode.AcceptsCertificates() ? authority : null,
    };
}
