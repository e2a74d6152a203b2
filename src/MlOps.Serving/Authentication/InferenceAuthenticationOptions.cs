using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MlOps.Core.Certificates;

namespace MlOps.Serving.Authentication;

/// <summary>How the inference endpoints authenticate callers (<see cref="InferenceAuthenticationExtensions"/>).</summary>
public sealed class InferenceAuthenticationOptions
{
    /// <summary>Who may call. Default <see cref="InferenceAuthMode.None"/>.</summary>
    public InferenceAuthMode Mode { get; init; }

    /// <summary>
    /// The cluster CA that client certificates must chain to; required by the modes that accept certificates. The
    /// check is <see cref="ClusterTrust.Verify"/> with clientAuth, once per connection, in the TLS handshake
    /// (<see cref="ConfigureHttps"/>).
    /// </summary>
    public X509Certificate2? ClientAuthority { get; init; }

    /// <summary>Every problem with these options, one line each.</summary>
    public IReadOnlyList<string> Validate() =>
        Mode.AcceptsCertificates() && ClientAuthority is null
            ? [$"auth mode '{Mode.Name()}' needs the cluster CA certificate that client certificates must chain to"]
            : [];

    /// <summary>
    /// TLS for one listener: <paramref name="serverCertificate"/> identifies the endpoint; when the mode accepts
    /// certificates, clients are asked for one, and one that is offered must chain to <see cref="ClientAuthority"/>
    /// with clientAuth or the handshake fails. A client may offer none (its calls then need a token, and health
    /// probes need nothing), so a certificate is demanded per call, not per connection. The request check relies on
    /// this: a certificate on a connection configured here has been verified against the cluster CA.
    /// </summary>
    public void ConfigureHttps(HttpsConnectionAdapterOptions https, X509Certificate2 serverCertificate)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(serverCertificate);
        https.ServerCertificate = serverCertificate;
        https.CheckCertificateRevocation = false;
        if (!Mode.AcceptsCertificates())
        {
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
            return;
        }

        var authority = ClientAuthority ?? throw new InvalidOperationException(Validate()[0]);
        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        // The system's verdict is ignored: the cluster CA is not (and need not be) in the machine's trust store.
        https.ClientCertificateValidation = (certificate, _, _) =>
            ClusterTrust.Verify(certificate, authority, ClusterRoles.ClientAuthentication).Trusted;
    }
}
