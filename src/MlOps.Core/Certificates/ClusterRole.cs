using System.Security.Cryptography;

namespace MlOps.Core.Certificates;

/// <summary>
/// What a cluster certificate is for. The role is the certificate's organisation (<c>O=agent</c>) and decides its
/// extended key usages (<see cref="ClusterRoles.Usages"/>).
/// </summary>
public enum ClusterRole
{
    /// <summary>Serves the cluster API; also dials agents and peers, so it may act as a TLS client.</summary>
    Coordinator,

    /// <summary>A node that joins the coordinator: a TLS client whose common name is its agent id.</summary>
    Agent,

    /// <summary>A user or tool (the <c>mlops</c> CLI) calling the coordinator: a TLS client.</summary>
    Client,
}

/// <summary>Names and key usages of <see cref="ClusterRole"/>.</summary>
public static class ClusterRoles
{
    /// <summary>id-kp-serverAuth (RFC 5280): the certificate may identify a TLS server.</summary>
    public static Oid ServerAuthentication => new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>id-kp-clientAuth (RFC 5280): the certificate may identify a TLS client.</summary>
    public static Oid ClientAuthentication => new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>The lower-case names the command line and the certificate subject use.</summary>
    public static IReadOnlyList<string> Names { get; } = ["coordinator", "agent", "client"];

    public static string Name(this ClusterRole role) => role switch
    {
        ClusterRole.Coordinator => "coordinator",
        ClusterRole.Agent => "agent",
        ClusterRole.Client => "client",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };

    public static bool TryParse(string? text, out ClusterRole role)
    {
        var index = text is null ? -1 : Names.ToList().IndexOf(text.Trim().ToLowerInvariant());
        role = index < 0 ? default : (ClusterRole)index;
        return index >= 0;
    }

    /// <summary>
    /// Extended key usages: serverAuth and clientAuth for the coordinator (agents dial it, and it may dial them or
    /// another coordinator), clientAuth alone for agents and clients, so their certificates cannot pose as a server.
    /// </summary>
    public static IReadOnlyList<Oid> Usages(this ClusterRole role) => role == ClusterRole.Coordinator
        ? [ServerAuthentication, ClientAuthentication]
        : [ClientAuthentication];
}
