using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Grpc;

/// <summary>Every RPC of inference.GRPCInferenceService, plus health and reflection, through a real channel.</summary>
public sealed class InferenceGrpcServiceTests : IAsyncLifetime
{
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenInferenceTestServer.StartWithEchoAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ServerLive_Always_True()
    {
        Assert.True((await _server.Client.ServerLiveAsync(new ServerLiveRequest())).Live);
    }

    [Fact]
    public async Task ServerReady_WithReadyModel_True()
    {
        Assert.True((await _server.Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }

    [Theory]
    [InlineData("echo", "", true)]
    [InlineData("echo", "2", true)]
    [InlineData("echo", "7", false)]
    [InlineData("warming", "", false)]
    [InlineData("parked", "1", false)]
    [InlineData("nope", "", false)]
    public async Task ModelReady_ByModelAndVersion_ReportsReadiness(string name, string version, bool expected)
    {
        var response = await _server.Client.ModelReadyAsync(new ModelReadyRequest { Name = name, Version = version });

        Assert.Equal(expected, response.Ready);
    }

    [Fact]
    public async Task ServerMetadata_Always_ListsServedExtensions()
    {
        var response = await _server.Client.ServerMetadataAsync(new ServerMetadataRequest());

        Assert.Equal("mlops", response.Name);
        Assert.False(string.IsNullOrEmpty(response.Version));
        Assert.Equal(["binary_tensor_data", "model_repository", "statistics", "model_configuration"], response.Extensions);
    }

    [Fact]
    public async Task ModelMetadata_KnownModel_DescribesTensorsAndVersions()
    {
        var response = await _server.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "echo" });

        Assert.Equal("echo", response.Name);
        Assert.Equal(["1", "2"], response.Versions);
        Assert.Equal("onnxruntime_onnx", response.Platform);
        var input = Assert.Single(response.Inputs);
        Assert.Equal(("input", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 4L], input.Shape);
        Assert.Equal("output", Assert.Single(response.Outputs).Name);
    }

    [Fact]
    public async Task ModelInfer_RawInput_ReturnsRawOutputWithShapeAndId()
    {
        var response = await _server.Client.ModelInferAsync(EchoRaw(batch: 3, version: "2", id: "req-1"));

        Assert.Equal(("echo", "2", "req-1"), (response.ModelName, response.ModelVersion, response.Id));
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("output", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([3L, 4L], output.Shape);
        Assert.Null(output.Contents);
        Assert.Equal(Doubled(Rows(3)), Floats(Assert.Single(response.RawOutputContents).Span));
    }

    [Fact]
    public async Task ModelInfer_TypedContents_ReturnsRawOutput()
    {
        var request = new ModelInferRequest { ModelName = "echo" };
        var input = Input("input", "FP32", 2, 4);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange(Rows(2));
        request.Inputs.Add(input);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "output" });

        var response = await _server.Client.ModelInferAsync(request);

        Assert.Equal(Doubled(Rows(2)), Floats(Assert.Single(response.RawOutputContents).Span));
    }

    [Fact]
    public async Task ModelStreamInfer_MixedRequests_AnswersEachInOrder()
    {
        using var call = _server.Client.ModelStreamInfer();
        await call.RequestStream.WriteAsync(EchoRaw(batch: 1, id: "a"));
        await call.RequestStream.WriteAsync(EchoRaw(batch: 1, model: "nope", id: "b"));
        await call.RequestStream.WriteAsync(EchoRaw(batch: 2, id: "c"));
        await call.RequestStream.CompleteAsync();

        var answers = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal(["a", "b", "c"], answers.Select(a => a.InferResponse.Id));
        Assert.Equal(["", "unknown model 'nope'", ""], answers.Select(a => a.ErrorMessage));
        Assert.Equal(Doubled(Rows(2)), Floats(answers[2].InferResponse.RawOutputContents[0].Span));
    }

    [Fact]
    public async Task ModelConfig_BatchingModel_LeavesBatchDimOutAndReportsDynamicBatching()
    {
        var config = (await _server.Client.ModelConfigAsync(new ModelConfigRequest { Name = "echo", Version = "1" })).Config;

        Assert.Equal(("echo", "onnxruntime_onnx", "onnxruntime", 8), (config.Name, config.Platform, config.Backend, config.MaxBatchSize));
        Assert.Equal(DataType.TypeFp32, config.Input[0].DataType);
        Assert.Equal([4L], config.Input[0].Dims);
        Assert.Equal([4L], config.Output[0].Dims);
        Assert.NotNull(config.DynamicBatching);
        Assert.False(config.ModelTransactionPolicy.Decoupled);
    }

    [Fact]
    public async Task ModelStatistics_AfterInference_CountsIt()
    {
        await _server.Client.ModelInferAsync(EchoRaw(batch: 3, version: "1"));

        var one = await _server.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "echo", Version = "1" });
        var all = await _server.Client.ModelStatisticsAsync(new ModelStatisticsRequest());

        var stats = Assert.Single(one.ModelStats);
        Assert.Equal(("echo", "1"), (stats.Name, stats.Version));
        Assert.True(stats.InferenceCount >= 3);
        Assert.True(stats.ExecutionCount >= 1);
        Assert.Equal(2_000UL, stats.InferenceStats.ComputeInfer.Ns);
        Assert.Equal(1_700_000_000_000UL, stats.LastInference);
        Assert.Contains(all.ModelStats, s => s.Name == "echo" && s.Version == "2");
        Assert.DoesNotContain(all.ModelStats, s => s.Name == "parked");
    }

    [Fact]
    public async Task RepositoryIndex_ReadyOnly_FiltersNotReadyVersions()
    {
        var all = await _server.Client.RepositoryIndexAsync(new RepositoryIndexRequest());
        var ready = await _server.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });

        Assert.Contains(all.Models, m => m is { Name: "parked", State: "UNAVAILABLE", Reason: "unloaded" });
        Assert.Contains(all.Models, m => m is { Name: "warming", State: "LOADING" });
        Assert.All(ready.Models, m => Assert.Equal("READY", m.State));
        Assert.Contains(ready.Models, m => m is { Name: "echo", Version: "2" });
    }

    [Fact]
    public async Task HealthCheck_ReadyModel_Serving()
    {
        var health = new Health.HealthClient(_server.Channel);

        var overall = await health.CheckAsync(new HealthCheckRequest());
        var inference = await health.CheckAsync(new HealthCheckRequest { Service = "inference.GRPCInferenceService" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, inference.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesInferenceHealthAndReflection()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "inference.GRPCInferenceService" });
        await call.RequestStream.CompleteAsync();

        var answers = await call.ResponseStream.ReadAllAsync().ToListAsync();

        var services = answers[0].ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.NotEmpty(answers[1].FileDescriptorResponse.FileDescriptorProto);
    }
}
