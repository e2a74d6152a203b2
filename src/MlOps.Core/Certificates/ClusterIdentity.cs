using System.Security.Cryptography.X509Certificates;

namespace MlOps.Core.Certificates;

/// <summary>
/// Who a cluster certificate names: its role (the subject's <c>O=</c>) and its common name (<c>CN=</c>, an agent's id
/// or a host name), as <see cref="ClusterCertificates.Issue"/> writes them. Reading the subject says nothing about
/// trust: check the certificate with <see cref="ClusterTrust"/> first (a TLS handshake with the cluster CA does).
/// </summary>
public static class ClusterIdentity
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    /// <summary>
    /// Reads the role and common name. False when the subject lacks either, holds more than one of either, or names a
    /// role that is not one of <see cref="ClusterRoles.Names"/> or a common name <c>mlops certs issue</c> would refuse.
    /// </summary>
    public static bool TryRead(X509Certificate2? certificate, out ClusterRole role, out string commonName)
    {
        role = default;
        commonName = "";
        if (certificate is null)
        {
            return false;
        }

        var names = new List<string>();
        var organizations = new List<string>();
        foreach (var part in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (part.HasMultipleElements)
            {
                continue;
            }

            var value = part.GetSingleElementValue();
            switch (part.GetSingleElementType().Value)
            {
                case CommonNameOid when value is not null:
                    names.Add(value);
                    break;
                case OrganizationOid when value is not null:
                    organizations.Add(value);
                    break;
            }
        }

        if (names is not [var name] || organizations is not [var organization] || CertificateNames.NameProblem(name) is not null)
        {
            return false;
        }

        // Exactly the lower-case name the issuer writes: "Agent" or " agent" is not a cluster role.
        var index = ClusterRoles.Names.ToList().IndexOf(organization);
        if (index < 0)
        {
            return false;
        }

        role = (ClusterRole)index;
        commonName = name;
        return true;
    }
}
