using Google.Protobuf;
using Grpc.Core;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Grpc;

/// <summary>Each bad input of the acceptance line gets a specific status and a message naming the problem.</summary>
public sealed class GrpcBadInputTests : IAsyncLifetime
{
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenInferenceTestServer.StartWithEchoAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, StatusCode, string> Cases => new()
    {
        { "wrong-name", StatusCode.InvalidArgument, "model 'echo' has no input 'pixels'" },
        { "wrong-dtype", StatusCode.InvalidArgument, "input 'input' must be FP32, got INT32" },
        { "unknown-dtype", StatusCode.InvalidArgument, "input 'input' has unknown datatype 'FLOAT32'" },
        { "wrong-shape", StatusCode.InvalidArgument, "input 'input' must have shape [-1,4], got [4,2]" },
        { "negative-dim", StatusCode.InvalidArgument, "input 'input' has a negative dimension in shape [-1,4]" },
        { "byte-length", StatusCode.InvalidArgument, "input 'input' with shape [2,4] and datatype FP32 needs 32 bytes, got 28" },
        { "batch-over-limit", StatusCode.InvalidArgument, "batch of 9 exceeds the maximum batch size 8 of model 'echo'" },
        { "unknown-model", StatusCode.NotFound, "unknown model 'nope'" },
        { "unknown-version", StatusCode.NotFound, "model 'echo' has no version '9'" },
        { "not-ready", StatusCode.Unavailable, "model 'warming' has no ready version" },
        { "not-ready-version", StatusCode.Unavailable, "model 'warming' version '1' is not ready" },
        { "unloaded", StatusCode.Unavailable, "model 'parked' version '1' is UNAVAILABLE: unloaded" },
        { "duplicate-input", StatusCode.InvalidArgument, "input 'input' appears more than once" },
        { "raw-count", StatusCode.InvalidArgument, "raw_input_contents has 2 entries but the request has 1 inputs" },
        { "raw-and-typed", StatusCode.InvalidArgument, "input 'input' sets contents while the request uses raw_input_contents" },
        { "no-data", StatusCode.InvalidArgument, "input 'input' has no data: set contents or raw_input_contents" },
        { "typed-wrong-field", StatusCode.InvalidArgument, "input 'input' has datatype FP32, which takes fp32_contents, but int_contents is set" },
        { "typed-count", StatusCode.InvalidArgument, "input 'input' fp32_contents has 3 elements but its shape needs 8" },
        { "typed-fp16", StatusCode.InvalidArgument, "input 'input' has datatype FP16, which has no typed contents field" },
        { "bytes-truncated", StatusCode.InvalidArgument, "input 'input' BYTES data is truncated: element 1 of 2" },
        { "duplicate-output", StatusCode.InvalidArgument, "output 'output' is requested more than once" },
        { "unknown-output", StatusCode.InvalidArgument, "model 'echo' has no output 'logits'" },
        { "no-model-name", StatusCode.InvalidArgument, "model_name is required" },
        { "queue-full", StatusCode.ResourceExhausted, "queue of model 'busy' is full" },
        { "model-failed", StatusCode.Internal, "model 'failing' failed to run" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ModelInfer_BadInput_SpecificStatusNamingTheProblem(string mutation, StatusCode code, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.ModelInferAsync(Mutate(mutation)).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(_server.Errors.Entries);
    }

    [Fact]
    public async Task ModelInfer_BytesThatAreNotProtobuf_InvalidArgumentAndNothingLogged()
    {
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.Unary, "inference.GRPCInferenceService", "ModelInfer", bytes, bytes);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, [0x0A, 0xFF, 0xFF, 0x01]).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("the ModelInferRequest message is not valid protobuf", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(_server.Errors.Entries);
    }

    [Fact]
    public async Task ModelInfer_ModelThrowsUnexpectedException_InternalWithMessageAndLogged()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.ModelInferAsync(EchoRaw(model: "broken")).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("internal error: onnxruntime exploded", error.Status.Detail);
        Assert.Single(_server.Errors.Entries);
    }

    [Theory]
    [InlineData("nope", "", StatusCode.NotFound)]
    [InlineData("echo", "9", StatusCode.NotFound)]
    [InlineData("", "", StatusCode.InvalidArgument)]
    public async Task ModelMetadataAndConfig_UnknownModel_SpecificStatus(string name, string version, StatusCode code)
    {
        var metadata = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = name, Version = version }).ResponseAsync);
        var config = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.ModelConfigAsync(new ModelConfigRequest { Name = name, Version = version }).ResponseAsync);

        Assert.Equal(code, metadata.StatusCode);
        Assert.Equal(code, config.StatusCode);
    }

    [Theory]
    [InlineData("nope", "", StatusCode.NotFound)]
    [InlineData("echo", "9", StatusCode.NotFound)]
    [InlineData("parked", "", StatusCode.Unavailable)]
    public async Task ModelStatistics_UnknownOrUnloadedModel_SpecificStatus(string name, string version, StatusCode code)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = name, Version = version }).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
    }

    private static ModelInferRequest Mutate(string mutation)
    {
        var request = EchoRaw(batch: 2);
        var input = request.Inputs[0];
        switch (mutation)
        {
            case "wrong-name": input.Name = "pixels"; break;
            case "wrong-dtype": input.Datatype = "INT32"; break;
            case "unknown-dtype": input.Datatype = "FLOAT32"; break;
            case "wrong-shape": input.Shape[0] = 4; input.Shape[1] = 2; break;
            case "negative-dim": input.Shape[0] = -1; break;
            case "byte-length": request.RawInputContents[0] = ByteString.CopyFrom(new byte[28]); break;
            case "batch-over-limit": return EchoRaw(batch: 9);
            case "unknown-model": request.ModelName = "nope"; break;
            case "unknown-version": request.ModelVersion = "9"; break;
            case "not-ready": request.ModelName = "warming"; break;
            case "not-ready-version": request.ModelName = "warming"; request.ModelVersion = "1"; break;
            case "unloaded": request.ModelName = "parked"; request.ModelVersion = "1"; break;
            case "duplicate-input": request.Inputs.Add(input.Clone()); request.RawInputContents.Add(request.RawInputContents[0]); break;
            case "raw-count": request.RawInputContents.Add(request.RawInputContents[0]); break;
            case "raw-and-typed": input.Contents = new InferTensorContents { Fp32Contents = { Rows(2) } }; break;
            case "no-data": request.RawInputContents.Clear(); break;
            case "typed-wrong-field": request.RawInputContents.Clear(); input.Contents = new InferTensorContents { IntContents = { 1, 2 } }; break;
            case "typed-count": request.RawInputContents.Clear(); input.Contents = new InferTensorContents { Fp32Contents = { 1, 2, 3 } }; break;
            case "typed-fp16": request.RawInputContents.Clear(); input.Datatype = "FP16"; input.Contents = new InferTensorContents { Fp32Contents = { 1 } }; break;
            case "bytes-truncated":
                input.Datatype = "BYTES";
                input.Shape.Clear();
                input.Shape.Add(2);
                request.RawInputContents[0] = ByteString.CopyFrom([1, 0, 0, 0, 65, 9, 0, 0, 0, 66]);
                break;
            case "duplicate-output":
                request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "output" });
                request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "output" });
                break;
            case "unknown-output": request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "logits" }); break;
            case "no-model-name": request.ModelName = ""; break;
            case "queue-full": request.ModelName = "busy"; break;
            case "model-failed": request.ModelName = "failing"; break;
            default: throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null);
        }

        return request;
    }
}
