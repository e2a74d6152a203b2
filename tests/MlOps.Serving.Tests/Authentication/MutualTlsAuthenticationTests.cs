using System.Net;
using System.Text.Json;
using Grpc.Core;
using MlOps.Contracts.Inference;
using MlOps.Serving.Authentication;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Authentication;

/// <summary>
/// <c>mtls</c> and <c>token-or-mtls</c> over real TLS on loopback, with certificates from
/// <see cref="MlOps.Core.Certificates.ClusterCertificates"/>: a client certificate from the cluster CA is enough
/// (mtls), a token is enough too (token-or-mtls), no certificate is refused per call while the probes stay open, and
/// a certificate from another CA fails the handshake.
/// </summary>
public sealed class MutualTlsAuthenticationTests(TestPki pki) : IClassFixture<TestPki>
{
    private const string Token = "tok_0123456789ab.valid-secret";

    private async Task<AuthenticatedTestServer> StartAsync(InferenceAuthMode mode)
    {
        var credentials = new InferenceCredentialSet();
        credentials.Replace([InferenceCredentialSet.DigestOf(Token)]);
        return await AuthenticatedTestServer.StartAsync(
            new InferenceAuthenticationOptions { Mode = mode, ClientAuthority = pki.Authority }, credentials, pki.Server, pki.Authority);
    }

    [Fact]
    public async Task Mtls_ClientCertificateFromTheClusterCa_AnswersOverGrpcAndRest()
    {
        await using var server = await StartAsync(InferenceAuthMode.Mtls);

        var grpc = await server.Grpc(certificate: pki.Client).ModelInferAsync(EchoRaw());
        var agent = await server.Grpc(certificate: pki.Agent).ModelMetadataAsync(new ModelMetadataRequest { Name = "echo" });
        using var rest = await server.Rest(certificate: pki.Client).PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Single(grpc.RawOutputContents);
        Assert.Equal("echo", agent.Name);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
    }

    [Fact]
    public async Task Mtls_NoClientCertificate_RefusedPerCallButProbesAnswer()
    {
        await using var server = await StartAsync(InferenceAuthMode.Mtls);
        var grpc = server.Grpc();
        var http = server.Rest();

        var error = await Assert.ThrowsAsync<RpcException>(() => grpc.ModelInferAsync(EchoRaw()).ResponseAsync);
        using var refused = await http.PostAsync("/v2/models/echo/infer", Json(EchoJson()));
        var live = await grpc.ServerLiveAsync(new ServerLiveRequest());
        using var ready = await http.GetAsync("/v2/health/ready");

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("authentication required: connect with a client certificate issued by the cluster CA", error.Status.Detail);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(error.Status.Detail, await ErrorAsync(refused));
        Assert.Empty(refused.Headers.WwwAuthenticate);
        Assert.True(live.Live);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Mtls_ValidTokenWithoutCertificate_Refused()
    {
        await using var server = await StartAsync(InferenceAuthMode.Mtls);

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Grpc(Token).ModelInferAsync(EchoRaw()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Mtls_ClientCertificateFromAnotherCa_HandshakeRefused()
    {
        await using var server = await StartAsync(InferenceAuthMode.Mtls);

        var grpcError = await Assert.ThrowsAsync<RpcException>(() => server.Grpc(certificate: pki.Foreign).ModelInferAsync(EchoRaw()).ResponseAsync);
        var restError = await Assert.ThrowsAsync<HttpRequestException>(() => server.Rest(certificate: pki.Foreign).GetAsync("/v2/health/live"));

        Assert.NotEqual(StatusCode.OK, grpcError.StatusCode);
        Assert.NotEqual(StatusCode.Unauthenticated, grpcError.StatusCode);
        Assert.NotNull(restError);
    }

    [Fact]
    public async Task Mtls_ClientTrustingAnotherCa_RefusesTheServer()
    {
        await using var server = await StartAsync(InferenceAuthMode.Mtls);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = Core.Certificates.ClusterTrust.ValidationCallback(pki.Foreign, Core.Certificates.ClusterRoles.ServerAuthentication);
        using var http = new HttpClient(handler) { BaseAddress = new Uri(server.RestAddress) };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/v2/health/live"));
    }

    [Fact]
    public async Task TokenOrMtls_TokenAloneOrCertificateAlone_Answers()
    {
        await using var server = await StartAsync(InferenceAuthMode.TokenOrMtls);

        var byToken = await server.Grpc(Token).ModelInferAsync(EchoRaw());
        var byCertificate = await server.Grpc(certificate: pki.Client).ModelInferAsync(EchoRaw());
        using var restByToken = await server.Rest(Token).PostAsync("/v2/models/echo/infer", Json(EchoJson()));
        using var restByCertificate = await server.Rest("wrong-token", pki.Client).PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Single(byToken.RawOutputContents);
        Assert.Single(byCertificate.RawOutputContents);
        Assert.Equal(HttpStatusCode.OK, restByToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, restByCertificate.StatusCode);
    }

    [Fact]
    public async Task TokenOrMtls_Neither_RefusedNamingBoth()
    {
        await using var server = await StartAsync(InferenceAuthMode.TokenOrMtls);

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Grpc().ModelInferAsync(EchoRaw()).ResponseAsync);
        using var refused = await server.Rest().PostAsync("/v2/models/echo/infer", Json(EchoJson()));
        using var wrong = await server.Rest("wrong-token").PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("authentication required: send 'authorization: Bearer <token>' or connect with a client certificate issued by the cluster CA", error.Status.Detail);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Token_OverTls_NoClientCertificateAsked()
    {
        await using var server = await StartAsync(InferenceAuthMode.Token);

        var answered = await server.Grpc(Token).ModelInferAsync(EchoRaw());
        var error = await Assert.ThrowsAsync<RpcException>(() => server.Grpc(certificate: pki.Client).ModelInferAsync(EchoRaw()).ResponseAsync);

        Assert.Single(answered.RawOutputContents);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString();
    }
}
