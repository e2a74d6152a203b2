using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MlOps.Core.Certificates;

namespace MlOps.Coordinator.Hosting;

/// <summary>The coordinator's side of mutual TLS on its gRPC endpoint (docs/security.md).</summary>
internal static class CoordinatorTls
{
    /// <summary>
    /// TLS 1.2/1.3 with the coordinator's certificate. A client certificate is asked for but not required (CLI users may
    /// come with a token instead); one that is presented is checked against the cluster CA alone, for clientAuth, and a
    /// refusal fails the handshake and is logged. Who may call what is decided per call, from the certificate's subject
    /// (<see cref="Api.PeerCertificate"/>).
    /// </summary>
    public static HttpsConnectionAdapterOptions HttpsOptions(TlsCredentials tls, ILogger refusals) => new()
    {
        ServerCertificate = tls.Certificate,
        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateMode = ClientCertificateMode.AllowCertificate,
        CheckCertificateRevocation = false,
        ClientCertificateValidation = (certificate, _, _) =>
        {
            // The system's verdict is ignored: the cluster CA is not in the machine's store, and need not be.
            var verdict = ClusterTrust.Verify(certificate, tls.Authority, ClusterRoles.ClientAuthentication);
            if (!verdict.Trusted)
            {
                HostingLog.ClientCertificateRefused(refusals, certificate.Subject, certificate.Issuer, string.Join("; ", verdict.Problems));
            }

            return verdict.Trusted;
        },
    };
}
