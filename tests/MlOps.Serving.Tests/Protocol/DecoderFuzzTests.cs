using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using MlOps.Contracts.Inference;
using MlOps.Serving.Feedback;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Grpc;
using MlOps.Serving.Protocol.Rest;
using MlOps.Serving.Tests.Protocol.Support;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Serving.Tests.Protocol;

/// <summary>
/// Mutation fuzzing of the inference request decoders, below the server (ProtocolFuzzTests drives the whole server
/// with fewer, random requests): the KServe V2 REST body (JSON header, binary extension, raw binary request, feedback)
/// and the gRPC <see cref="ModelInferRequest"/> from its wire bytes to tensors. The only failures allowed are what the
/// protocol layers map to a status: <see cref="InferenceException"/>, <see cref="JsonException"/> (REST 400) and
/// <see cref="InvalidProtocolBufferException"/> (gRPC INVALID_ARGUMENT).
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    private static readonly ModelDescriptor OneInput = new("echo", "1", [new TensorSpec("input", "FP32", [-1, 4])], [new TensorSpec("output", "FP32", [-1, 4])])
    {
        MaxBatchSize = 8,
    };

    private static readonly string[] JsonVocabulary =
    [
        "\"inputs\"", "\"outputs\"", "\"name\"", "\"datatype\"", "\"shape\"", "\"data\"", "\"parameters\"", "\"binary_data_size\"",
        "\"binary_data\"", "\"binary_data_output\"", "\"id\"", "\"labels\"", "\"label\"", "\"FP32\"", "\"BYTES\"", "\"BOOL\"", "\"FP16\"",
        "\"BF16\"", "\"UINT64\"", "\"INT8\"", "[", "]", "{", "}", ",", ":", "null", "true", "false", "\"NaN\"", "\"-Infinity\"", "\\u0000",
        "\\ud800", "\\udfff", "-1", "1e400", "[[[[", "]]]]",
    ];

    private static readonly string[] ProtobufVocabulary = ["FP32", "BYTES", "BOOL", "INT64", "UINT8", "FP16", "BF16", "input", "\0", "\xff"];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void RestDecoders_MutatedBodies_OnlyProtocolErrors()
    {
        var seeds = RestSeeds().ToList();

        var report = FuzzRun.Run("REST inference request", seeds, DecodeRest, new FuzzOptions
        {
            Iterations = 60_000,
            Dictionary = JsonVocabulary,
            IsExpected = e => e is InferenceException or JsonException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 1_000, report.Summary);
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void GrpcDecoder_MutatedModelInferRequests_OnlyProtocolErrors()
    {
        var seeds = GrpcSeeds().Select(r => r.ToByteArray()).ToList();

        var report = FuzzRun.Run("gRPC ModelInferRequest", seeds, DecodeGrpc, new FuzzOptions
        {
            Iterations = 300_000,
            Dictionary = ProtobufVocabulary,
            IsExpected = e => e is InferenceException or InvalidProtocolBufferException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 1_000, report.Summary);
    }

    /// <summary>The first byte picks the form (as the REST handler does from the header length): 0 JSON only, 1 the
    /// binary extension with the JSON length in the next two bytes, 2 a raw binary request, 3 a feedback body.</summary>
    private static void DecodeRest(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var body = input.AsMemory(1);
        switch (input[0] % 4)
        {
            case 0:
                using (var document = RestBody.ParseJson(body))
                {
                    RestInferRequestReader.Read("echo", null, document.RootElement, ReadOnlyMemory<byte>.Empty);
                }

                break;
            case 1 when body.Length >= 2:
                var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(body.Span), body.Length - 2);
                using (var document = RestBody.ParseJson(body.Slice(2, length)))
                {
                    RestInferRequestReader.Read("echo", "1", document.RootElement, body[(2 + length)..]);
                }

                break;
            case 2:
                RawBinaryRequest.Read(OneInput, "1", body);
                break;
            case 3:
                using (var document = RestBody.ParseJson(body))
                {
                    FeedbackHandler.Read(document.RootElement);
                }

                break;
        }
    }

    private static void DecodeGrpc(byte[] input) => GrpcInferRequestReader.Read(ModelInferRequest.Parser.ParseFrom(input));

    private static IEnumerable<byte[]> RestSeeds()
    {
        byte[] Json(byte mode, string json) => [mode, .. Encoding.UTF8.GetBytes(json)];

        yield return Json(0, ProtocolRequests.EchoJson(batch: 3, id: "r1"));
        foreach (var sample in DataTypeSample.All)
        {
            yield return Json(0, $$$"""{"id":"t","parameters":{"binary_data_output":true},"inputs":[{"name":"x","datatype":"{{{sample.DataType}}}","shape":[3],"data":{{{sample.Json}}}}],"outputs":[{"name":"y","parameters":{"binary_data":false}}]}""");
            var header = Encoding.UTF8.GetBytes($$$"""{"inputs":[{"name":"x","datatype":"{{{sample.DataType}}}","shape":[1,3],"parameters":{"binary_data_size":{{{sample.Raw.Length}}}}}]}""");
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            yield return [1, .. length, .. header, .. sample.Raw];
        }

        yield return Json(0, """{"inputs":[{"name":"a","datatype":"FP32","shape":[2,2],"data":[[1,2],[3,4]]},{"name":"b","datatype":"INT64","shape":[0],"data":[]}]}""");
        yield return [2, .. ProtocolRequests.Bytes(ProtocolRequests.Rows(2))];
        yield return Json(3, """{"labels":[{"id":"r1","label":3},{"id":"r2","label":0}]}""");
        foreach (var hostile in FuzzInputs.HostileJson(ProtocolRequests.EchoJson(batch: 2, id: "h")))
        {
            yield return [0, .. hostile];
        }

        foreach (var hostile in FuzzInputs.HostileJson("""{"labels":[{"id":"r1","label":3}]}"""))
        {
            yield return [3, .. hostile];
        }
    }

    private static IEnumerable<ModelInferRequest> GrpcSeeds()
    {
        yield return ProtocolRequests.EchoRaw(batch: 3, id: "r1");
        foreach (var sample in DataTypeSample.All)
        {
            var raw = new ModelInferRequest { ModelName = "m", ModelVersion = "1", Id = "raw" };
            raw.Inputs.Add(ProtocolRequests.Input("x", sample.DataType, 1, 3));
            raw.RawInputContents.Add(ByteString.CopyFrom(sample.Raw));
            raw.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "y" });
            yield return raw;

            if (sample.Typed is { } typed)
            {
                var request = new ModelInferRequest { ModelName = "m" };
                var tensor = ProtocolRequests.Input("x", sample.DataType, 3);
                tensor.Contents = typed.Clone();
                request.Inputs.Add(tensor);
                yield return request;
            }
        }

        var two = new ModelInferRequest { ModelName = "m" };
        two.Inputs.Add(ProtocolRequests.Input("a", "FP32", 2, 2));
        two.Inputs.Add(ProtocolRequests.Input("b", "INT64", 0));
        two.RawInputContents.Add(ByteString.CopyFrom(new byte[16]));
        two.RawInputContents.Add(ByteString.Empty);
        yield return two;

        var huge = new ModelInferRequest { ModelName = "m" };
        huge.Inputs.Add(ProtocolRequests.Input("x", "FP32", 1L << 20, 1L << 20, 1L << 20));
        huge.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        yield return huge;
    }
}
