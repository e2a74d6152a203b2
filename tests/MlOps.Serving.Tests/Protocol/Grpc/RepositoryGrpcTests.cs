using Grpc.Core;
using Grpc.Health.V1;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Grpc;

/// <summary>Load and unload change what is served, and readiness and health follow; each test has its own server.</summary>
public sealed class RepositoryGrpcTests
{
    [Fact]
    public async Task RepositoryModelUnloadThenLoad_Echo_ReadinessAndInferenceFollow()
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(new EchoModelForTests()));
        var client = server.Client;

        await client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "echo" });
        var readyAfterUnload = (await client.ModelReadyAsync(new ModelReadyRequest { Name = "echo" })).Ready;
        var serverReadyAfterUnload = (await client.ServerReadyAsync(new ServerReadyRequest())).Ready;
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        var inferError = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(EchoRaw()).ResponseAsync);

        await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "echo" });

        Assert.False(readyAfterUnload);
        Assert.False(serverReadyAfterUnload);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        Assert.Equal(StatusCode.Unavailable, inferError.StatusCode);
        Assert.True((await client.ModelReadyAsync(new ModelReadyRequest { Name = "echo" })).Ready);
        Assert.Equal(Doubled(Rows(2)), Floats((await client.ModelInferAsync(EchoRaw())).RawOutputContents[0].Span));
    }

    [Theory]
    [InlineData("nope", "", StatusCode.NotFound)]
    [InlineData("", "", StatusCode.InvalidArgument)]
    [InlineData("echo", "config", StatusCode.InvalidArgument)]
    [InlineData("echo", "file:1/model.onnx", StatusCode.InvalidArgument)]
    public async Task RepositoryModelLoad_BadRequest_SpecificStatus(string name, string parameter, StatusCode code)
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(new EchoModelForTests()));
        var request = new RepositoryModelLoadRequest { ModelName = name };
        if (parameter.Length > 0)
        {
            request.Parameters[parameter] = new ModelRepositoryParameter { StringParam = "{}" };
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Client.RepositoryModelLoadAsync(request).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(parameter.Length > 0 ? parameter : name.Length > 0 ? name : "model_name", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepositoryModelUnload_UnknownModel_NotFound()
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests());

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "nope" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("unknown model 'nope'", error.Status.Detail);
    }

    [Fact]
    public async Task HealthCheck_EmptyRepository_NotServing()
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests());

        var health = await new Health.HealthClient(server.Channel).CheckAsync(
            new HealthCheckRequest { Service = "inference.GRPCInferenceService" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        Assert.True((await server.Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.False((await server.Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }
}
