using System.Net;
using MlOps.Serving.Authentication;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Authentication;

/// <summary><c>none</c> mode, the default: anyone who reaches the port may call, as before authentication existed.</summary>
public sealed class NoAuthenticationTests
{
    [Fact]
    public async Task Infer_NoneModeNoToken_AnswersOverGrpcAndRest()
    {
        await using var server = await AuthenticatedTestServer.StartAsync(new InferenceAuthenticationOptions(), new InferenceCredentialSet());

        var grpc = await server.Grpc().ModelInferAsync(EchoRaw());
        using var rest = await server.Rest().PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Single(grpc.RawOutputContents);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
    }

    [Theory]
    [InlineData(InferenceAuthMode.Mtls)]
    [InlineData(InferenceAuthMode.TokenOrMtls)]
    public void AddInferenceAuthentication_CertificateModeWithoutCa_Throws(InferenceAuthMode mode)
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() =>
            services.AddInferenceAuthentication(new InferenceAuthenticationOptions { Mode = mode }, new InferenceCredentialSet()));

        Assert.Contains("cluster CA", error.Message, StringComparison.Ordinal);
    }
}
