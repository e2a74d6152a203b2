using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MlOps.Core.Certificates;

/// <summary>
/// The three PEM files a node needs for mutual TLS, bound from configuration (<c>Coordinator:Tls</c>,
/// <c>Agent:Tls</c>): its own certificate, that certificate's private key, and the cluster CA it trusts for its peers.
/// All three or none: none means plaintext, which the services allow on loopback only. Paths are absolute, since a
/// service's working directory is not where its configuration lives. See docs/security.md.
/// </summary>
public sealed class TlsFiles
{
    /// <summary>The node's certificate, PEM (<c>mlops certs issue NAME</c> writes <c>NAME.crt</c>). Default empty.</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>Its private key, PEM PKCS#8 (<c>NAME.key</c>, mode 0600, readable by the service user). Default empty.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>The cluster CA's certificate (<c>ca.crt</c>): the only root peers are checked against. Default empty.</summary>
    public string AuthorityFile { get; set; } = "";

    /// <summary>True when any of the three is set; <see cref="Problems"/> reports a partial set.</summary>
    public bool Enabled =>
        !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(KeyFile) || !string.IsNullOrWhiteSpace(AuthorityFile);

    /// <summary>
    /// Every problem with the files, each message starting with the configuration key it is about
    /// (<c>{section}:CertificateFile ...</c>): a partial set, a relative path, a file that is missing or unreadable, a
    /// key that does not belong to the certificate, an authority that is not a CA, a certificate the authority did
    /// not sign or that is not valid now, one without the extended key <paramref name="usage"/> the node needs, and,
    /// when <paramref name="role"/> is given, one issued for another role. Empty when <see cref="Enabled"/> is false.
    /// </summary>
    /// <param name="section">The configuration section, e.g. <c>Coordinator:Tls</c>.</param>
    /// <param name="usage"><see cref="ClusterRoles.ServerAuthentication"/> for a server, <see cref="ClusterRoles.ClientAuthentication"/> for a client.</param>
    /// <param name="role">The role the certificate's subject must name (<c>O=agent</c>), or null for any.</param>
    /// <param name="now">The time to check validity at; default now.</param>
    public IReadOnlyList<string> Problems(string section, Oid usage, ClusterRole? role = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var errors = new List<string>();
        if (!Enabled)
        {
            return errors;
        }

        (string Key, string Path)[] files = [(nameof(CertificateFile), CertificateFile), (nameof(KeyFile), KeyFile), (nameof(AuthorityFile), AuthorityFile)];
        var missing = files.Where(f => string.IsNullOrWhiteSpace(f.Path)).Select(f => f.Key).ToList();
        if (missing.Count > 0)
        {
            errors.Add($"{section} needs CertificateFile, KeyFile and AuthorityFile together (or none of them); {string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} not set");
            return errors;
        }

        foreach (var (key, path) in files.Where(f => !Path.IsPathFullyQualified(f.Path)))
        {
            errors.Add($"{section}:{key} must be an absolute path, got '{path}'");
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        using var authority = Load(section, nameof(AuthorityFile), AuthorityFile, errors);
        using var certificate = Load(section, nameof(CertificateFile), CertificateFile, errors);
        if (authority is not null && !CertificateFiles.IsAuthority(authority))
        {
            errors.Add($"{section}:AuthorityFile {AuthorityFile} is not a CA certificate (basicConstraints CA:true is missing): it must be the cluster CA's ca.crt");
        }

        CheckKey(section, certificate, errors);
        if (certificate is null || authority is null || !CertificateFiles.IsAuthority(authority))
        {
            return errors;
        }

        var at = now ?? DateTimeOffset.UtcNow;
        if (at.UtcDateTime < certificate.NotBefore.ToUniversalTime() || at.UtcDateTime > certificate.NotAfter.ToUniversalTime())
        {
            errors.Add($"{section}:CertificateFile {CertificateFile} is not valid now: valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}");
            return errors;
        }

        var signed = ClusterTrust.Verify(certificate, authority, at: at);
        if (!signed.Trusted)
        {
            errors.Add($"{section}:CertificateFile {CertificateFile} is not signed by the authority in {AuthorityFile}: {string.Join("; ", signed.Problems)}");
            return errors;
        }

        if (!ClusterTrust.Verify(certificate, authority, usage, at).Trusted)
        {
            errors.Add($"{section}:CertificateFile {CertificateFile} lacks the {UsageName(usage)} extended key usage ({certificate.Subject}); issue one with mlops certs issue NAME --role {(usage.Value == ClusterRoles.ServerAuthentication.Value ? "coordinator" : role?.Name() ?? "agent")}");
        }

        if (role is { } expected)
        {
            if (!ClusterIdentity.TryRead(certificate, out var actual, out _))
            {
                errors.Add($"{section}:CertificateFile {CertificateFile} has the subject '{certificate.Subject}', not CN=NAME, O={expected.Name()} as mlops certs issue writes it");
            }
            else if (actual != expected)
            {
                errors.Add($"{section}:CertificateFile {CertificateFile} is a {actual.Name()} certificate ({certificate.Subject}); this node needs one with the role {expected.Name()} (mlops certs issue NAME --role {expected.Name()})");
            }
        }

        return errors;
    }

    /// <summary>Loads the node's certificate with its key, and the authority. Throws <see cref="CertificateException"/>
    /// naming the file; check <see cref="Problems"/> first for messages that name the configuration keys.</summary>
    public TlsCredentials Load()
    {
        var authority = CertificateFiles.LoadCertificate(AuthorityFile);
        try
        {
            return new TlsCredentials(CertificateFiles.LoadWithKey(CertificateFile, KeyFile), authority);
        }
        catch
        {
            authority.Dispose();
            throw;
        }
    }

    /// <summary><c>serverAuth</c> or <c>clientAuth</c>, as <c>mlops certs show</c> prints them.</summary>
    public static string UsageName(Oid usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return usage.Value == ClusterRoles.ServerAuthentication.Value ? "serverAuth"
            : usage.Value == ClusterRoles.ClientAuthentication.Value ? "clientAuth"
            : usage.Value ?? "?";
    }

    private static X509Certificate2? Load(string section, string key, string path, List<string> errors)
    {
        try
        {
            return CertificateFiles.LoadCertificate(path);
        }
        catch (CertificateException ex)
        {
            errors.Add($"{section}:{key} {ex.Message}");
            return null;
        }
    }

    private void CheckKey(string section, X509Certificate2? certificate, List<string> errors)
    {
        if (!File.Exists(KeyFile))
        {
            errors.Add($"{section}:KeyFile {KeyFile} not found");
            return;
        }

        try
        {
            if (certificate is null)
            {
                // Without the certificate there is nothing to match the key with; it must at least be readable.
                using var stream = File.OpenRead(KeyFile);
                return;
            }

            using var withKey = CertificateFiles.LoadWithKey(CertificateFile, KeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{section}:KeyFile cannot read {KeyFile}: {ex.Message}");
        }
        catch (CertificateException ex) when (ex.InnerException is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{section}:KeyFile cannot read {KeyFile}: {ex.InnerException.Message}");
        }
        catch (CertificateException ex)
        {
            errors.Add($"{section}:KeyFile {KeyFile} is not the private key of {CertificateFile} ({ex.InnerException?.Message ?? ex.Message})");
        }
    }
}

/// <summary>A node's certificate with its private key, and the cluster CA it checks peers against.</summary>
public sealed class TlsCredentials(X509Certificate2 certificate, X509Certificate2 authority) : IDisposable
{
    /// <summary>The node's own certificate, with its private key: what it presents in a handshake.</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>The cluster CA (no key): the only root a peer's certificate may chain to (<see cref="ClusterTrust"/>).</summary>
    public X509Certificate2 Authority { get; } = authority;

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }
}
