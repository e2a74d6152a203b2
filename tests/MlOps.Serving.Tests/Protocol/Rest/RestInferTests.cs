using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Rest;

/// <summary>REST inference: JSON tensors (flat and nested), the binary tensor extension both ways, the raw binary form and compression.</summary>
public sealed class RestInferTests : IAsyncLifetime
{
    private OpenInferenceTestServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync()
    {
        var repository = OpenInferenceTestServer.StandardRepository();
        foreach (var sample in DataTypeSample.All)
        {
            repository.Add(new IdentityModelForTests("identity-" + sample.DataType.ToLowerInvariant(), new TensorSpec("x", sample.DataType, [3])));
        }

        _server = await OpenInferenceTestServer.StartAsync(repository);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Infer_JsonFlatData_JsonOutputWithIdEchoed()
    {
        using var response = await Http.PostAsync("/v2/models/echo/infer", Json(EchoJson(batch: 2, id: "r-7")));
        var (json, binary) = await ReadInferResponseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(binary);
        Assert.Equal(("echo", "2", "r-7"), (json.GetProperty("model_name").GetString(), json.GetProperty("model_version").GetString(), json.GetProperty("id").GetString()));
        var output = json.GetProperty("outputs")[0];
        Assert.Equal([2L, 4L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(Doubled(Rows(2)), output.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));
    }

    [Fact]
    public async Task Infer_JsonNestedData_SameAsFlat()
    {
        const string body = """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"data":[[1,2,3,4],[5,6,7,8]]}]}""";

        using var response = await Http.PostAsync("/v2/models/echo/versions/1/infer", Json(body));
        var (json, _) = await ReadInferResponseAsync(response);

        Assert.Equal(Doubled(Rows(2)), json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));
    }

    [Fact]
    public async Task Infer_BinaryInputAndBinaryOutput_RoundTripsLikeTritonclient()
    {
        const string header = """{"inputs":[{"name":"input","datatype":"FP32","shape":[3,4],"parameters":{"binary_data_size":48}}],"outputs":[{"name":"output","parameters":{"binary_data":true}}]}""";

        using var response = await Http.PostAsync("/v2/models/echo/infer", Binary(header, Bytes(Rows(3))));
        var (json, binary) = await ReadInferResponseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var output = json.GetProperty("outputs")[0];
        Assert.Equal(48, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(output.TryGetProperty("data", out _));
        Assert.Equal(Doubled(Rows(3)), Floats(binary));
    }

    [Theory]
    [InlineData("""{"binary_data_output":true}""", "", true)]
    [InlineData("""{"binary_data_output":true}""", ""","outputs":[{"name":"output","parameters":{"binary_data":false}}]""", false)]
    [InlineData("""{}""", ""","outputs":[{"name":"output"}]""", false)]
    public async Task Infer_OutputBinaryFlags_PerOutputOverridesRequest(string parameters, string outputs, bool binaryExpected)
    {
        var body = $$"""{"parameters":{{parameters}},"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]{{outputs}}}""";

        using var response = await Http.PostAsync("/v2/models/echo/infer", Json(body));
        var (json, binary) = await ReadInferResponseAsync(response);

        var output = json.GetProperty("outputs")[0];
        Assert.Equal(binaryExpected, binary.Length == 16);
        Assert.Equal(!binaryExpected, output.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task Infer_FortyMegabyteBinaryTensor_AcceptedOverKestrelDefaultLimit()
    {
        var data = new byte[40_000_000];
        data[^1] = 7;
        const string header = """{"inputs":[{"name":"x","datatype":"FP32","shape":[10000000],"parameters":{"binary_data_size":40000000}}],"parameters":{"binary_data_output":true}}""";

        using var response = await Http.PostAsync("/v2/models/identity-fp32/infer", Binary(header, data));
        var (_, binary) = await ReadInferResponseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(40_000_000, binary.Length);
        Assert.Equal(7, binary[^1]);
    }

    [Fact]
    public async Task Infer_RawBinaryRequest_BatchOneAllOutputsBinary()
    {
        using var content = new ByteArrayContent(Bytes(Rows(1)));
        content.Headers.Add("Inference-Header-Content-Length", "0");

        using var response = await Http.PostAsync("/v2/models/echo/infer", content);
        var (json, binary) = await ReadInferResponseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([1L, 4L], json.GetProperty("outputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(Doubled(Rows(1)), Floats(binary));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Infer_CompressedBody_Decompressed(string encoding)
    {
        var plain = Encoding.UTF8.GetBytes(EchoJson(batch: 2));
        using var buffer = new MemoryStream();
        await using (Stream compressor = encoding == "gzip" ? new GZipStream(buffer, CompressionLevel.Fastest) : new ZLibStream(buffer, CompressionLevel.Fastest))
        {
            await compressor.WriteAsync(plain);
        }

        using var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);

        using var response = await Http.PostAsync("/v2/models/echo/infer", content);
        var (json, _) = await ReadInferResponseAsync(response);

        Assert.Equal(Doubled(Rows(2)), json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));
    }

    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public async Task Infer_JsonDataEveryDatatype_JsonOutputEqualsInput(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        var body = $$$"""{"inputs":[{"name":"x","datatype":"{{{dataType}}}","shape":[3],"data":{{{sample.Json}}}}],"outputs":[{"name":"x","parameters":{"binary_data":false}}]}""";

        using var response = await Http.PostAsync($"/v2/models/identity-{dataType.ToLowerInvariant()}/infer", Json(body));
        var (json, _) = await ReadInferResponseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = JsonDocument.Parse(sample.Json).RootElement.EnumerateArray().Select(e => e.ToString());
        var actual = json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.ToString());
        Assert.Equal(Normalise(dataType, expected), Normalise(dataType, actual));
    }

    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public async Task Infer_JsonDataEveryDatatype_BinaryOutputIsLittleEndianRaw(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        var body = $$"""{"parameters":{"binary_data_output":true},"inputs":[{"name":"x","datatype":"{{dataType}}","shape":[3],"data":{{sample.Json}}}]}""";

        using var response = await Http.PostAsync($"/v2/models/identity-{dataType.ToLowerInvariant()}/infer", Json(body));
        var (_, binary) = await ReadInferResponseAsync(response);

        Assert.Equal(sample.Raw, binary);
    }

    [Fact]
    public async Task Infer_NonFiniteFloats_AcceptedAsStringsAndReturnedAsStrings()
    {
        const string body = """{"inputs":[{"name":"x","datatype":"FP32","shape":[3],"data":["NaN","Infinity","-inf"]}]}""";

        using var response = await Http.PostAsync("/v2/models/identity-fp32/infer", Json(body));
        var (json, _) = await ReadInferResponseAsync(response);

        Assert.Equal(["NaN", "Infinity", "-Infinity"], json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    // Floats print differently than they parse (1E+300 vs 1e+300, 3.25E+10); compare as numbers.
    private static IEnumerable<string> Normalise(string dataType, IEnumerable<string> values) =>
        dataType.StartsWith("FP", StringComparison.Ordinal) || dataType == "BF16"
            ? values.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            : values.Select(v => v.ToLowerInvariant());
}
