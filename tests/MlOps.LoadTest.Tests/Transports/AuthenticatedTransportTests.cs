using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlOps.Client.Inference;
using MlOps.Contracts.Inference;
using MlOps.LoadTest.Transports;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Transports;

/// <summary>
/// Both transports against endpoints that want a bearer token (<c>Agent:Serving:Auth token</c>): with
/// <c>--token-file</c>'s token every request carries it; without, the refusal is counted as the error it is.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AuthenticatedTransportTests
{
    private const string Token = "tok_0123456789ab.load";
    private static readonly InferenceEndpointSecurity WithToken = new() { BearerToken = Token };
    private static readonly byte[][] Bodies = [Encoding.UTF8.GetBytes("""{"inputs":[]}""")];

    [Fact]
    public async Task RestSend_WithAndWithoutToken_200AndHttp401()
    {
        var (app, address) = await LoopbackHttpHost.StartAsync(web => web.MapPost("/v2/models/{name}/infer", (HttpContext context) =>
            Microsoft.AspNetCore.Http.Results.StatusCode(context.Request.Headers.Authorization == "Bearer " + Token ? 200 : 401)));
        await using var _ = app;
        await using var authenticated = new RestLoadTransport(address, "m", null, Bodies, TimeSpan.FromSeconds(10), security: WithToken);
        await using var anonymous = new RestLoadTransport(address, "m", null, Bodies, TimeSpan.FromSeconds(10));

        Assert.Null(await authenticated.SendAsync(0, CancellationToken.None));
        Assert.Null(await authenticated.SendAsync(0, CancellationToken.None));
        Assert.Equal("HTTP 401", await anonymous.SendAsync(0, CancellationToken.None));
    }

    [Fact]
    public async Task GrpcSend_WithAndWithoutToken_OkAndUnauthenticated()
    {
        var (app, address) = await LoopbackGrpcHost.StartAsync(new TokenCheckingServiceForTests());
        await using var _ = app;
        byte[][] payloads = [new ModelInferRequest { ModelName = "m" }.ToByteArray()];
        await using var authenticated = new GrpcLoadTransport(new Uri(address), payloads, TimeSpan.FromSeconds(10), WithToken);
        await using var anonymous = new GrpcLoadTransport(new Uri(address), payloads, TimeSpan.FromSeconds(10));

        Assert.Null(await authenticated.SendAsync(0, CancellationToken.None));
        Assert.Equal("UNAUTHENTICATED", await anonymous.SendAsync(0, CancellationToken.None));
    }

    /// <summary>TEST DOUBLE: answers ModelInfer only with the expected token.</summary>
    private sealed class TokenCheckingServiceForTests : GRPCInferenceService.GRPCInferenceServiceBase
    {
        public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
            context.RequestHeaders.GetValue("authorization") == "Bearer " + Token
                ? Task.FromResult(new ModelInferResponse { ModelName = request.ModelName })
                : throw new RpcException(new Status(StatusCode.Unauthenticated, "no"));
    }
}
