using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using MlOps.Contracts.Inference;
using MlOps.Serving.Authentication;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Authentication;

/// <summary>
/// <c>token</c> mode over plaintext, through a real Kestrel host: every inference call over gRPC and REST needs a
/// bearer token in the current snapshot; the probes do not. Each test has its own server and token set.
/// </summary>
public sealed class TokenAuthenticationTests : IAsyncLifetime
{
    private const string Token = "tok_0123456789ab.valid-secret";
    private readonly InferenceCredentialSet _credentials = new();
    private AuthenticatedTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await AuthenticatedTestServer.StartAsync(new InferenceAuthenticationOptions { Mode = InferenceAuthMode.Token }, _credentials);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Allow(params string[] tokens) => _credentials.Replace(tokens.Select(t => (ReadOnlyMemory<byte>)InferenceCredentialSet.DigestOf(t)));

    [Fact]
    public async Task GrpcInfer_NoToken_Unauthenticated()
    {
        Allow(Token);

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Grpc().ModelInferAsync(EchoRaw()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("authentication required: send 'authorization: Bearer <token>'", error.Status.Detail);
    }

    [Fact]
    public async Task GrpcInfer_WrongToken_Unauthenticated()
    {
        Allow(Token);

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Grpc("tok_0123456789ab.wrong").ModelInferAsync(EchoRaw()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("not valid", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcInfer_ValidToken_Answers()
    {
        Allow("another", Token);

        var response = await _server.Grpc(Token).ModelInferAsync(EchoRaw());

        Assert.Equal(Doubled(Rows(2)), Floats(response.RawOutputContents[0].Span));
    }

    [Fact]
    public async Task GrpcInfer_BeforeTheFirstSnapshot_EveryTokenRefused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Grpc(Token).ModelInferAsync(EchoRaw()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("no token is valid yet", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcInfer_SnapshotReplaced_OldTokenRefusedNewOneAccepted()
    {
        Allow(Token);
        var client = _server.Grpc(Token);
        await client.ModelInferAsync(EchoRaw());

        Allow("tok_fedcba987654.rotated");

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(EchoRaw()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        await _server.Grpc("tok_fedcba987654.rotated").ModelInferAsync(EchoRaw());
    }

    [Fact]
    public async Task GrpcOtherMethods_NoToken_EachUnauthenticated()
    {
        Allow(Token);
        var client = _server.Grpc();
        var calls = new Func<Task>[]
        {
            () => client.ModelReadyAsync(new ModelReadyRequest { Name = "echo" }).ResponseAsync,
            () => client.ServerMetadataAsync(new ServerMetadataRequest()).ResponseAsync,
            () => client.ModelMetadataAsync(new ModelMetadataRequest { Name = "echo" }).ResponseAsync,
            () => client.ModelConfigAsync(new ModelConfigRequest { Name = "echo" }).ResponseAsync,
            () => client.ModelStatisticsAsync(new ModelStatisticsRequest()).ResponseAsync,
            () => client.RepositoryIndexAsync(new RepositoryIndexRequest()).ResponseAsync,
            () => client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "parked" }).ResponseAsync,
            () => client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "echo" }).ResponseAsync,
        };

        foreach (var call in calls)
        {
            Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }

        Assert.True((await _server.Grpc(Token).ModelReadyAsync(new ModelReadyRequest { Name = "echo" })).Ready);
    }

    [Fact]
    public async Task GrpcStreamInfer_NoToken_Unauthenticated()
    {
        Allow(Token);
        using var call = _server.Grpc().ModelStreamInfer();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(EchoRaw());
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task GrpcProbes_NoTokenNoSnapshot_Answer()
    {
        var client = _server.Grpc();

        Assert.True((await client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var health = await new Health.HealthClient(_server.GrpcChannel()).CheckAsync(new HealthCheckRequest { Service = "inference.GRPCInferenceService" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task RestInfer_NoToken_401WithTheProtocolsErrorBodyAndABearerChallenge()
    {
        Allow(Token);

        using var response = await _server.Rest().PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("authentication required: send 'authorization: Bearer <token>'", await ErrorAsync(response));
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Theory]
    [InlineData("GET", "/v2")]
    [InlineData("GET", "/v2/models/echo")]
    [InlineData("GET", "/v2/models/echo/versions/1/ready")]
    [InlineData("GET", "/v2/models/echo/config")]
    [InlineData("GET", "/v2/models/echo/stats")]
    [InlineData("GET", "/v2/models/stats")]
    [InlineData("POST", "/v2/models/echo/feedback")]
    [InlineData("POST", "/v2/repository/index")]
    [InlineData("POST", "/v2/repository/models/parked/load")]
    [InlineData("POST", "/v2/repository/models/echo/unload")]
    [InlineData("GET", "/v2/no/such/path")]
    [InlineData("POST", "/V2/Models/echo/infer")]
    [InlineData("GET", "/v2/health/live/")]
    public async Task RestProtectedPaths_NoToken_401(string method, string path)
    {
        Allow(Token);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Json("{}") : null };

        using var response = await _server.Rest().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("authentication required", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/V2/Health/Live")]
    [InlineData("/metrics")]
    public async Task RestProbesAndMetrics_NoTokenNoSnapshot_200(string path)
    {
        using var response = await _server.Rest().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RestInfer_WrongToken_401InvalidToken()
    {
        Allow(Token);

        using var response = await _server.Rest("nope").PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("the bearer token is not valid (unknown, revoked or expired)", await ErrorAsync(response));
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("tok_0123456789ab.valid-secret")]
    public async Task RestInfer_MalformedAuthorization_401InvalidRequest(string header)
    {
        Allow(Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/echo/infer") { Content = Json(EchoJson()) };
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await _server.Rest().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("the authorization header must be 'Bearer <token>'", await ErrorAsync(response));
        Assert.Equal("Bearer error=\"invalid_request\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    [InlineData("BEARER  ")]
    public async Task RestInfer_ValidTokenAnySchemeCase_200(string scheme)
    {
        Allow(Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/echo/infer") { Content = Json(EchoJson()) };
        request.Headers.TryAddWithoutValidation("Authorization", scheme + Token);

        using var response = await _server.Rest().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RestRepository_ValidToken_LoadsAndUnloads()
    {
        Allow(Token);
        var http = _server.Rest(Token);

        using var unload = await http.PostAsync("/v2/repository/models/echo/unload", Json("{}"));
        using var load = await http.PostAsync("/v2/repository/models/echo/load", Json("{}"));

        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
    }

    [Fact]
    public async Task RestInfer_BeforeTheFirstSnapshot_401()
    {
        using var response = await _server.Rest(Token).PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("no token is valid yet", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestInfer_SnapshotReplaced_OldTokenRefusedNewOneAccepted()
    {
        Allow(Token);
        var http = _server.Rest(Token);
        using var before = await http.PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Allow("rotated");
        using var after = await http.PostAsync("/v2/models/echo/infer", Json(EchoJson()));
        using var rotated = await _server.Rest("rotated").PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString();
    }
}
