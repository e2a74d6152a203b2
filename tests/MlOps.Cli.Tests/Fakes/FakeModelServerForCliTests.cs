using System.Buffers.Binary;
using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Contracts.Inference;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of an agent's Open Inference Protocol endpoint: a real Kestrel gRPC server on a dynamic loopback
/// port, which the fake coordinator names as a deployment's replica, so <c>mlops predict</c> runs over real channels.
/// </summary>
internal sealed class FakeModelServerForCliTests : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeModelServerForCliTests(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public FakeInferenceServiceForCliTests Model => _app.Services.GetRequiredService<FakeInferenceServiceForCliTests>();

    public static async Task<FakeModelServerForCliTests> StartAsync()
    {
        var (app, address) = await LoopbackGrpcHost.StartAsync(
            services =>
            {
                services.AddSingleton<FakeInferenceServiceForCliTests>();
            },
            endpoints =>
            {
                endpoints.MapGrpcService<FakeInferenceServiceForCliTests>();
            });
        return new FakeModelServerForCliTests(app, address);
    }

    public ValueTask DisposeAsync() => LoopbackGrpcHost.StopAsync(_app);
}

/// <summary>
/// TEST DOUBLE of GRPCInferenceService: one model with the <see cref="Metadata"/> and <see cref="Config"/> a test
/// sets, answering every inference with <see cref="Scores"/> as one FP32 row (or failing with
/// <see cref="InferFailure"/>), every request recorded.
/// </summary>
internal sealed class FakeInferenceServiceForCliTests : GRPCInferenceService.GRPCInferenceServiceBase
{
    public ModelMetadataResponse Metadata { get; set; } = FashionMetadata("pixels", -1, 4);

    public ModelConfigResponse Config { get; set; } = new() { Config = new ModelConfig { Name = "fashion" } };

    /// <summary>The output row every inference returns, named <c>probabilities</c>, shape [1, length].</summary>
    public float[] Scores { get; set; } = [0.1f, 0.7f, 0.2f];

    /// <summary>The version the response names when the request pins none (the traffic split's pick).</summary>
    public string ServedVersion { get; set; } = "2";

    /// <summary>The status ModelInfer fails with; null answers.</summary>
    public Status? InferFailure { get; set; }

    public ConcurrentQueue<ModelInferRequest> Infers { get; } = new();

    public ConcurrentQueue<ModelMetadataRequest> MetadataRequests { get; } = new();

    public ConcurrentQueue<ModelConfigRequest> ConfigRequests { get; } = new();

    /// <summary>A one-input FP32 model with input <paramref name="input"/> of <paramref name="shape"/> and a 3-class output.</summary>
    public static ModelMetadataResponse FashionMetadata(string input, params long[] shape)
    {
        var metadata = new ModelMetadataResponse { Name = "fashion", Platform = "onnxruntime_onnx" };
        metadata.Versions.Add("2");
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = input, Datatype = "FP32" };
        tensor.Shape.Add(shape);
        metadata.Inputs.Add(tensor);
        var output = new ModelMetadataResponse.Types.TensorMetadata { Name = "probabilities", Datatype = "FP32" };
        output.Shape.Add([-1, 3]);
        metadata.Outputs.Add(output);
        return metadata;
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        MetadataRequests.Enqueue(request);
        return Task.FromResult(Metadata.Clone());
    }

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        ConfigRequests.Enqueue(request);
        return Task.FromResult(Config.Clone());
    }

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        Infers.Enqueue(request);
        if (InferFailure is { } failure)
        {
            throw new RpcException(failure);
        }

        var response = new ModelInferResponse
        {
            ModelName = request.ModelName,
            ModelVersion = request.ModelVersion.Length > 0 ? request.ModelVersion : ServedVersion,
            Id = request.Id,
        };
        var output = new ModelInferResponse.Types.InferOutputTensor { Name = "probabilities", Datatype = "FP32" };
        output.Shape.Add([1, Scores.Length]);
        response.Outputs.Add(output);
        var bytes = new byte[Scores.Length * sizeof(float)];
        for (var i = 0; i < Scores.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), Scores[i]);
        }

        response.RawOutputContents.Add(ByteString.CopyFrom(bytes));
        return Task.FromResult(response);
    }
}
