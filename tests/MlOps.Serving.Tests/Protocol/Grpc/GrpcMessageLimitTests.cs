using Google.Protobuf;
using Grpc.Core;
using MlOps.Serving.Models;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Grpc;

/// <summary>Message limits come from OpenInferenceOptions.MaxMessageBytes and exceed ASP.NET Core's 4 MB default.</summary>
public sealed class GrpcMessageLimitTests
{
    private static InMemoryRepositoryForTests Repository() =>
        new InMemoryRepositoryForTests().Add(new IdentityModelForTests("identity", new TensorSpec("x", "FP32", [-1])));

    private static ModelInferRequest Floats(int count)
    {
        var request = new ModelInferRequest { ModelName = "identity" };
        request.Inputs.Add(Input("x", "FP32", count));
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[count * 4]));
        return request;
    }

    [Fact]
    public async Task ModelInfer_FortyMegabyteTensorWithDefaultLimit_AcceptedAndReturned()
    {
        // Over both ASP.NET Core's 4 MB gRPC default and Kestrel's 30 MB request body default.
        await using var server = await OpenInferenceTestServer.StartAsync(Repository());

        var response = await server.Client.ModelInferAsync(Floats(10_000_000));

        Assert.Equal(40_000_000, response.RawOutputContents[0].Length);
    }

    [Fact]
    public async Task ModelInfer_OverConfiguredLimit_ResourceExhaustedAndServerStaysUp()
    {
        await using var server = await OpenInferenceTestServer.StartAsync(Repository(), o => o.MaxMessageBytes = 64 * 1024);

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Client.ModelInferAsync(Floats(20_000)).ResponseAsync);
        var small = await server.Client.ModelInferAsync(Floats(1_000));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(4_000, small.RawOutputContents[0].Length);
    }
}
