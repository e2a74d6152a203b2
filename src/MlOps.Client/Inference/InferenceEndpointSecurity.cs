using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MlOps.Core.Certificates;

namespace MlOps.Client.Inference;

/// <summary>
/// How a client proves itself to inference endpoints that authenticate (docs/security.md ("Inference endpoint authentication")) and checks
/// them: a bearer token sent as <c>authorization: Bearer</c> on every call, and for <c>https://</c> endpoints the
/// cluster CA their certificates must chain to and the client certificate to present (mutual TLS). Everything is
/// optional; <see cref="None"/> sends nothing and trusts the machine's store, as before authentication existed.
/// </summary>
public sealed record InferenceEndpointSecurity
{
    /// <summary>No token, no client certificate, the system's trust store.</summary>
    public static InferenceEndpointSecurity None { get; } = new();

    /// <summary>A cluster API token; sent with every call (also over plaintext <c>http://</c>, where it can be read on
    /// the wire). Default none.</summary>
    public string? BearerToken { get; init; }

    /// <summary>The cluster CA (<c>ca.crt</c>): an <c>https://</c> endpoint's certificate must chain to it with
    /// serverAuth and name the host dialled (<see cref="ClusterTrust"/>). Default: the machine's trust store.</summary>
    public X509Certificate2? Authority { get; init; }

    /// <summary>A certificate with its private key, presented to <c>https://</c> endpoints that ask for one (any cluster
    /// certificate with clientAuth: a client's or an agent's). Default none.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>True when nothing is set: callers keep their default HTTP handler.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(BearerToken) && Authority is null && ClientCertificate is null;

    /// <summary>The <c>authorization</c> header value, or null without a token.</summary>
    public string? AuthorizationHeader => string.IsNullOrEmpty(BearerToken) ? null : "Bearer " + BearerToken;

    /// <summary>
    /// Reads the files a user names (<c>--ca</c>, <c>--cert</c>, <c>--key</c>); empty or null paths are left out. The
    /// certificate and key go together.
    /// </summary>
    /// <exception cref="CertificateException">A file is missing or unreadable, or only one of certificate and key is given.</exception>
    public static InferenceEndpointSecurity FromFiles(string? bearerToken, string? authorityFile, string? certificateFile, string? keyFile)
    {
        if (string.IsNullOrEmpty(certificateFile) != string.IsNullOrEmpty(keyFile))
        {
            throw new CertificateException("a client certificate needs its key: give both the certificate and the key file, or neither");
        }

        return new InferenceEndpointSecurity
        {
            BearerToken = string.IsNullOrWhiteSpace(bearerToken) ? null : bearerToken.Trim(),
            Authority = string.IsNullOrEmpty(authorityFile) ? null : CertificateFiles.LoadCertificate(authorityFile),
            ClientCertificate = string.IsNullOrEmpty(certificateFile) ? null : CertificateFiles.LoadWithKey(certificateFile, keyFile!),
        };
    }

    /// <summary>TLS options for a connection to <paramref name="targetHost"/> (for clients that run their own <see cref="SslStream"/>).</summary>
    public SslClientAuthenticationOptions TlsOptions(string targetHost)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = targetHost };
        Apply(options);
        return options;
    }

    /// <summary>
    /// An HTTP handler for gRPC channels and <see cref="HttpClient"/>s: <paramref name="inner"/> with this TLS
    /// configuration, wrapped so that every request carries the token. Disposing it disposes <paramref name="inner"/>.
    /// </summary>
    public HttpMessageHandler CreateHandler(SocketsHttpHandler inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Apply(inner.SslOptions);
        return AuthorizationHeader is { } header ? new BearerTokenHandler(header) { InnerHandler = inner } : inner;
    }

    private void Apply(SslClientAuthenticationOptions options)
    {
        options.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
        if (Authority is not null)
        {
            options.RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(Authority, ClusterRoles.ServerAuthentication);
        }

        if (ClientCertificate is not null)
        {
            options.ClientCertificates = [ClientCertificate];
        }
    }

    /// <summary>Adds the precomputed <c>authorization</c> header to every request that has none.</summary>
    private sealed class BearerTokenHandler(string header) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", header);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
