using System.Net;
using System.Security.Cryptography.X509Certificates;
using MlOps.Core.Certificates;

namespace MlOps.Testing;

/// <summary>
/// A cluster CA and node certificates written into a directory with the library <c>mlops certs</c> uses
/// (<c>ca.crt</c>, <c>ca.key</c>, <c>NAME.crt</c>, <c>NAME.key</c>), for tests of mutual TLS. A second instance in
/// another directory is "another CA": its certificates do not chain to the first one's.
/// </summary>
public sealed class ClusterPki : IDisposable
{
    private readonly X509Certificate2 _authority;

    public ClusterPki(string directory, string authorityName = "Test Cluster CA")
    {
        Directory = directory;
        _authority = ClusterCertificates.CreateAuthority(authorityName, 30, DateTimeOffset.UtcNow);
        CertificateFiles.Write(_authority, AuthorityFile, CertificateFiles.AuthorityKeyPath(directory), overwrite: false);
    }

    public string Directory { get; }

    /// <summary><c>ca.crt</c>: what nodes trust.</summary>
    public string AuthorityFile => CertificateFiles.AuthorityCertificatePath(Directory);

    /// <summary>
    /// Issues <c>NAME.crt</c> and <c>NAME.key</c> (<c>CN=name, O=role</c>) and returns the three files a node is
    /// configured with. A coordinator gets the loopback names (<c>localhost</c>, 127.0.0.1, ::1) so clients dialling
    /// 127.0.0.1 accept it.
    /// </summary>
    public TlsFiles Issue(string name, ClusterRole role, int days = 30)
    {
        var loopback = role == ClusterRole.Coordinator;
        var request = new NodeCertificateRequest(
            name, role, loopback ? ["localhost", name] : [], loopback ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [], days);
        using var certificate = ClusterCertificates.Issue(_authority, request, DateTimeOffset.UtcNow);
        var files = Files(name);
        CertificateFiles.Write(certificate, files.CertificateFile, files.KeyFile, overwrite: true);
        return files;
    }

    /// <summary>The configuration of node <paramref name="name"/>'s files in this directory (written or not).</summary>
    public TlsFiles Files(string name) => new()
    {
        CertificateFile = CertificateFiles.CertificatePath(Directory, name),
        KeyFile = CertificateFiles.KeyPath(Directory, name),
        AuthorityFile = AuthorityFile,
    };

    /// <summary>The node's certificate with its key, loaded.</summary>
    public X509Certificate2 Load(string name) =>
        CertificateFiles.LoadWithKey(CertificateFiles.CertificatePath(Directory, name), CertificateFiles.KeyPath(Directory, name));

    /// <summary>The CA certificate without its key.</summary>
    public X509Certificate2 LoadAuthority() => CertificateFiles.LoadCertificate(AuthorityFile);

    public void Dispose() => _authority.Dispose();
}
