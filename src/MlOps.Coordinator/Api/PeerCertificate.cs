using Grpc.Core;
using MlOps.Core.Certificates;

namespace MlOps.Coordinator.Api;

/// <summary>
/// The cluster identity of a caller that came with a TLS client certificate: its role (<c>O=</c>) and common name
/// (<c>CN=</c>). Only a certificate that chains to the cluster CA with clientAuth gets through the handshake
/// (<see cref="Hosting.CoordinatorTls"/>), so the subject read here is one the cluster CA vouched for. Without TLS
/// (plaintext on loopback) no caller has an identity.
/// </summary>
internal static class PeerCertificate
{
    /// <summary>
    /// True when the call came over TLS with a client certificate whose subject names a cluster role and a common
    /// name (<see cref="ClusterIdentity.TryRead"/>); false without a certificate, outside ASP.NET Core (a test's
    /// context), or for a subject that is not a cluster certificate's.
    /// </summary>
    public static bool TryGetIdentity(ServerCallContext context, out ClusterRole role, out string commonName)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClusterIdentity.TryRead(ClientCertificate(context), out role, out commonName);
    }

    /// <summary>The client certificate of the call's connection, or null.</summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return context.GetHttpContext().Connection.ClientCertificate;
        }
        catch (InvalidOperationException)
        {
            // A context that is not ASP.NET Core's (a service called directly in a test) has no connection.
            return null;
        }
    }
}
