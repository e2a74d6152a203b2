using System.Net;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Serving;

/// <summary>
/// A cluster CA in a temp directory (<see cref="ClusterPki"/>) plus an agent certificate issued for serving
/// (<c>mlops certs issue --role agent --serving</c>: serverAuth and clientAuth, 127.0.0.1 and localhost), as files an
/// agent is configured with. <see cref="ClusterPki.Issue"/> gives the plain agent certificate (clientAuth only).
/// </summary>
internal sealed class ServingPki : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-serving-pki");

    public ServingPki()
    {
        Pki = new ClusterPki(_directory.Path);
    }

    public ClusterPki Pki { get; }

    public string Directory => _directory.Path;

    /// <summary>Issues <c>NAME.crt</c>/<c>NAME.key</c> for an agent that serves TLS and returns the three files.</summary>
    public TlsFiles IssueServing(string name)
    {
        using var authority = CertificateFiles.LoadAuthority(Pki.Directory);
        var request = new NodeCertificateRequest(name, ClusterRole.Agent, ["localhost"], [IPAddress.Loopback], 2) { Serving = true };
        using var certificate = ClusterCertificates.Issue(authority, request, DateTimeOffset.UtcNow);
        var files = Pki.Files(name);
        CertificateFiles.Write(certificate, files.CertificateFile, files.KeyFile, overwrite: true);
        return files;
    }

    public void Dispose()
    {
        Pki.Dispose();
        _directory.Dispose();
    }
}
