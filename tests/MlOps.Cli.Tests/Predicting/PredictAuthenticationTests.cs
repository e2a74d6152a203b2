using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using MlOps.Contracts.Inference;
using MlOps.Testing;
using static MlOps.Cli.Tests.Fakes.DeploymentFixtures;

namespace MlOps.Cli.Tests.Predicting;

/// <summary>
/// <c>mlops predict</c> against a replica that authenticates callers (<c>Agent:Serving:Auth token</c>): the CLI's
/// API token goes to the replica too, and a refusal is reported as the model server's.
/// </summary>
public sealed class PredictAuthenticationTests : IAsyncLifetime, IDisposable
{
    private const string Token = "tok_0123456789ab.predict";
    private readonly TempDirectory _temp = new("mlops-cli-predict-auth");
    private readonly TokenCheckingModelForTests _model = new();
    private FakeCoordinatorForCliTests _server = null!;
    private WebApplication _replica = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeCoordinatorForCliTests.StartAsync();
        string address;
        (_replica, address) = await LoopbackGrpcHost.StartAsync(_model);
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(2, 100)], [Revision(1, "deploy", Route(2, 100))],
            Replica("agent-1", address, true, 2)));
    }

    public async Task DisposeAsync()
    {
        await LoopbackGrpcHost.StopAsync(_replica);
        await _server.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Predict_TokenFile_TheReplicaGetsTheToken()
    {
        var tokenFile = Write("token", Token + "\n");
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await CliRun.RunAsync("predict", "fashion", "--input", input, "--token-file", tokenFile, "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(_model.Authorizations);
        Assert.All(_model.Authorizations, a => Assert.Equal("Bearer " + Token, a));
        Assert.DoesNotContain(Token, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_NoToken_RefusalReportedWithTheServersMessage()
    {
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await CliRun.RunAsync("predict", "fashion", "--input", input, "--coordinator", _server.Address);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("authentication required", result.Error, StringComparison.Ordinal);
        Assert.Contains("UNAUTHENTICATED", result.Error, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = _temp.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>TEST DOUBLE of a replica with token auth: answers only <c>Bearer Token</c>, recording every header.</summary>
    private sealed class TokenCheckingModelForTests : GRPCInferenceService.GRPCInferenceServiceBase
    {
        public ConcurrentQueue<string> Authorizations { get; } = new();

        public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
        {
            Demand(context);
            return Task.FromResult(FakeInferenceServiceForCliTests.FashionMetadata("pixels", -1, 4));
        }

        public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
        {
            Demand(context);
            var response = new ModelInferResponse { ModelName = "fashion", ModelVersion = "2" };
            var output = new ModelInferResponse.Types.InferOutputTensor { Name = "probabilities", Datatype = "FP32" };
            output.Shape.Add([1, 2]);
            response.Outputs.Add(output);
            response.RawOutputContents.Add(ByteString.CopyFrom([.. BitConverter.GetBytes(0.25f), .. BitConverter.GetBytes(0.75f)]));
            return Task.FromResult(response);
        }

        private void Demand(ServerCallContext context)
        {
            var header = context.RequestHeaders.GetValue("authorization") ?? "";
            Authorizations.Enqueue(header);
            if (header != "Bearer " + Token)
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication required: send 'authorization: Bearer <token>'"));
            }
        }
    }
}
