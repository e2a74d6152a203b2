using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlOps.Client.Inference;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Client.Tests.Inference;

/// <summary>What a client configures for inference endpoints that authenticate: files read, and the TLS options made.</summary>
public sealed class InferenceEndpointSecurityTests
{
    [Fact]
    public void None_NothingSet_Empty()
    {
        Assert.True(InferenceEndpointSecurity.None.IsEmpty);
        Assert.Null(InferenceEndpointSecurity.None.AuthorizationHeader);
        Assert.True(InferenceEndpointSecurity.FromFiles(" ", null, "", null).IsEmpty);
    }

    [Fact]
    public void FromFiles_ClusterFiles_LoadsTheCaAndTheCertificateWithItsKey()
    {
        using var directory = new TempDirectory("mlops-client-tls");
        using var pki = new ClusterPki(directory.Path);
        var files = pki.Issue("alice", ClusterRole.Client);

        var security = InferenceEndpointSecurity.FromFiles(" tok_0123456789ab.secret\n", files.AuthorityFile, files.CertificateFile, files.KeyFile);

        Assert.Equal("Bearer tok_0123456789ab.secret", security.AuthorizationHeader);
        Assert.True(CertificateFiles.IsAuthority(security.Authority!));
        Assert.True(security.ClientCertificate!.HasPrivateKey);
        var tls = security.TlsOptions("agent-1.lan");
        Assert.Equal("agent-1.lan", tls.TargetHost);
        Assert.Same(security.ClientCertificate, Assert.Single(tls.ClientCertificates!));
        Assert.NotNull(tls.RemoteCertificateValidationCallback);
    }

    [Fact]
    public void FromFiles_CertificateWithoutKey_Refused()
    {
        using var directory = new TempDirectory("mlops-client-tls");
        using var pki = new ClusterPki(directory.Path);
        var files = pki.Issue("alice", ClusterRole.Client);

        var error = Assert.Throws<CertificateException>(() => InferenceEndpointSecurity.FromFiles(null, null, files.CertificateFile, null));

        Assert.Contains("needs its key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFiles_MissingCa_NamesTheFile()
    {
        var error = Assert.Throws<CertificateException>(() => InferenceEndpointSecurity.FromFiles(null, "/nonexistent/ca.crt", null, null));

        Assert.Contains("/nonexistent/ca.crt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateHandler_WithToken_EveryRequestCarriesItUnlessItHasItsOwn()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var (app, address) = await LoopbackHttpHost.StartAsync(web => web.MapGet("/", (HttpContext c) =>
        {
            seen.Enqueue(c.Request.Headers.Authorization.ToString());
            return "ok";
        }));
        await using var _ = app;
        using var http = new HttpClient(new InferenceEndpointSecurity { BearerToken = "secret" }.CreateHandler(new SocketsHttpHandler())) { BaseAddress = address };
        using var own = new HttpRequestMessage(HttpMethod.Get, "/");
        own.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "other");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(own)).StatusCode);

        Assert.Equal(["Bearer secret", "Bearer other"], seen);
    }
}
