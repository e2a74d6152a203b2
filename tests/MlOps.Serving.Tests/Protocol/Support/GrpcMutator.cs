using Google.Protobuf;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>Random mutations of a valid echo request for the fuzz test; each names what it did for the failure message.</summary>
internal static class GrpcMutator
{
    private static readonly string[] Models = ["echo", "echo", "echo", "nope", "", "warming", "parked", "ECHO", "echo/1"];
    private static readonly string[] Versions = ["", "", "1", "2", "9", "-1", "v1"];
    private static readonly string[] DataTypes = ["FP32", "FP32", "FP16", "INT32", "BYTES", "BOOL", "BF16", "UINT64", "fp32", "", "FLOAT"];
    private static readonly long[] Dims = [-1, 0, 1, 2, 3, 4, 4, 4, 8, 9, 1_000_000, long.MaxValue, long.MinValue];

    public static (ModelInferRequest Request, string Description) Mutate(Random random)
    {
        var request = ProtocolRequests.EchoRaw(batch: random.Next(1, 5));
        var steps = new List<string>();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            steps.Add(Apply(random, request));
        }

        return (request, string.Join("; ", steps));
    }

    private static string Apply(Random random, ModelInferRequest request)
    {
        var input = request.Inputs.Count > 0 ? request.Inputs[random.Next(request.Inputs.Count)] : null;
        switch (random.Next(14))
        {
            case 0:
                request.ModelName = Pick(random, Models);
                return $"model={request.ModelName}";
            case 1:
                request.ModelVersion = Pick(random, Versions);
                return $"version={request.ModelVersion}";
            case 2 when input is not null:
                input.Name = random.Next(3) == 0 ? "" : Pick(random, ["input", "inputs", "x", "INPUT"]);
                return $"name={input.Name}";
            case 3 when input is not null:
                input.Datatype = Pick(random, DataTypes);
                return $"datatype={input.Datatype}";
            case 4 when input is not null:
                input.Shape.Clear();
                input.Shape.AddRange(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Pick(random, Dims)));
                return $"shape=[{string.Join(",", input.Shape)}]";
            case 5 when request.RawInputContents.Count > 0:
                var raw = request.RawInputContents[0].ToByteArray();
                var cut = random.Next(raw.Length + 1);
                request.RawInputContents[0] = ByteString.CopyFrom(raw, 0, cut);
                return $"raw truncated to {cut}";
            case 6 when request.RawInputContents.Count > 0:
                var extra = new byte[random.Next(1, 40)];
                random.NextBytes(extra);
                request.RawInputContents[0] = ByteString.CopyFrom([.. request.RawInputContents[0].ToByteArray(), .. extra]);
                return $"raw extended by {extra.Length}";
            case 7:
                request.RawInputContents.Clear();
                return "raw removed";
            case 8:
                request.RawInputContents.Add(ByteString.CopyFrom(new byte[random.Next(0, 64)]));
                return "raw added";
            case 9 when input is not null:
                input.Contents = RandomContents(random);
                return "typed contents set";
            case 10 when input is not null:
                request.Inputs.Add(input.Clone());
                return "input duplicated";
            case 11:
                request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = Pick(random, ["output", "output", "logits", ""]) });
                return $"output requested={request.Outputs[^1].Name}";
            case 12 when request.RawInputContents.Count > 0:
                var bytes = request.RawInputContents[0].ToByteArray();
                if (bytes.Length > 0)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                request.RawInputContents[0] = ByteString.CopyFrom(bytes);
                return "raw byte changed";
            default:
                request.Inputs.Clear();
                return "inputs removed";
        }
    }

    private static InferTensorContents RandomContents(Random random)
    {
        var count = random.Next(0, 12);
        var contents = new InferTensorContents();
        switch (random.Next(5))
        {
            case 0: contents.Fp32Contents.AddRange(Enumerable.Range(0, count).Select(i => (float)i)); break;
            case 1: contents.IntContents.AddRange(Enumerable.Range(0, count).Select(i => random.Next(int.MinValue, int.MaxValue))); break;
            case 2: contents.BytesContents.AddRange(Enumerable.Range(0, count).Select(_ => ByteString.CopyFromUtf8("s"))); break;
            case 3: contents.BoolContents.AddRange(Enumerable.Range(0, count).Select(i => i % 2 == 0)); break;
            default: contents.Fp64Contents.AddRange(Enumerable.Range(0, count).Select(i => i * 0.5)); break;
        }

        return contents;
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
