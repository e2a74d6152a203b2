using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>Request builders and response readers shared by the protocol tests.</summary>
internal static class ProtocolRequests
{
    public static float[] Rows(int batch, float start = 1) =>
        Enumerable.Range(0, batch * 4).Select(i => start + i).ToArray();

    public static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] Floats(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public static float[] Doubled(float[] values) => values.Select(v => v * 2).ToArray();

    /// <summary>A valid raw gRPC request for the echo model: FP32 "input" [batch,4].</summary>
    public static ModelInferRequest EchoRaw(int batch = 2, string model = "echo", string version = "", string id = "")
    {
        var request = new ModelInferRequest { ModelName = model, ModelVersion = version, Id = id };
        request.Inputs.Add(Input("input", "FP32", batch, 4));
        request.RawInputContents.Add(ByteString.CopyFrom(Bytes(Rows(batch))));
        return request;
    }

    public static ModelInferRequest.Types.InferInputTensor Input(string name, string dataType, params long[] shape)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = dataType };
        input.Shape.AddRange(shape);
        return input;
    }

    /// <summary>A JSON request for the echo model with data in <c>data</c>.</summary>
    public static string EchoJson(int batch = 2, string id = "") =>
        $$"""{"id":"{{id}}","inputs":[{"name":"input","datatype":"FP32","shape":[{{batch}},4],"data":[{{string.Join(",", Rows(batch))}}]}]}""";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A binary-extension body: the JSON header, then <paramref name="binary"/>, with the header length set.</summary>
    public static ByteArrayContent Binary(string json, params byte[][] binary)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. binary.SelectMany(b => b)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>Splits a response into its JSON header and binary tail by <c>Inference-Header-Content-Length</c>, as tritonclient does.</summary>
    public static async Task<(JsonElement Json, byte[] Binary)> ReadInferResponseAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        var length = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values)
            ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture)
            : body.Length;
        using var document = JsonDocument.Parse(body.AsMemory(0, length));
        return (document.RootElement.Clone(), body[length..]);
    }

    public static async Task<string> ErrorOfAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").GetString()!;
    }
}
