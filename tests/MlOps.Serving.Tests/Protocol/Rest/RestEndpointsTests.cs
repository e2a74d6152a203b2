using System.Net;
using System.Text.Json;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Rest;

/// <summary>Every non-inference REST path, with the exact status codes clients test for.</summary>
public sealed class RestEndpointsTests : IAsyncLifetime
{
    private OpenInferenceTestServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await OpenInferenceTestServer.StartWithEchoAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/v2/health/live", "live")]
    [InlineData("/v2/health/ready", "ready")]
    public async Task Health_ReadyServer_ExactlyOkWithTrue(string path, string field)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty(field).GetBoolean());
    }

    [Fact]
    public async Task ServerMetadata_Get_NameVersionExtensions()
    {
        var json = await JsonAsync(await Http.GetAsync("/v2"));

        Assert.Equal("mlops", json.GetProperty("name").GetString());
        Assert.Contains("binary_tensor_data", json.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("/v2/models/echo")]
    [InlineData("/v2/models/echo/versions/2")]
    public async Task ModelMetadata_KnownModel_DescribesTensors(string path)
    {
        using var response = await Http.GetAsync(path);
        var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo", json.GetProperty("name").GetString());
        Assert.Equal(["1", "2"], json.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var input = json.GetProperty("inputs")[0];
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 4L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Theory]
    [InlineData("/v2/models/nope", "unknown model 'nope'")]
    [InlineData("/v2/models/echo/versions/9", "model 'echo' has no version '9'")]
    [InlineData("/v2/models/nope/config", "unknown model 'nope'")]
    [InlineData("/v2/models/echo/versions/9/config", "model 'echo' has no version '9'")]
    public async Task ModelMetadataAndConfig_UnknownModelOrVersion_NotFoundErrorBody(string path, string message)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(message, await ErrorOfAsync(response));
    }

    [Theory]
    [InlineData("/v2/models/echo/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/echo/versions/1/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/warming/ready", HttpStatusCode.BadRequest)]
    [InlineData("/v2/models/parked/versions/1/ready", HttpStatusCode.BadRequest)]
    [InlineData("/v2/models/nope/ready", HttpStatusCode.NotFound)]
    [InlineData("/v2/models/echo/versions/9/ready", HttpStatusCode.NotFound)]
    public async Task ModelReady_ByModelAndVersion_OkOnlyWhenReady(string path, HttpStatusCode expected)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task ModelConfig_Get_TritonJsonWithNumbersAndEnumNames()
    {
        var json = await JsonAsync(await Http.GetAsync("/v2/models/echo/versions/1/config"));

        Assert.Equal(8, json.GetProperty("max_batch_size").GetInt32());
        Assert.Equal("onnxruntime", json.GetProperty("backend").GetString());
        var input = json.GetProperty("input")[0];
        Assert.Equal("TYPE_FP32", input.GetProperty("data_type").GetString());
        Assert.Equal("FORMAT_NONE", input.GetProperty("format").GetString());
        Assert.Equal(4, input.GetProperty("dims")[0].GetInt64());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("dynamic_batching").ValueKind);
        Assert.False(json.GetProperty("model_transaction_policy").GetProperty("decoupled").GetBoolean());
    }

    [Theory]
    [InlineData("/v2/models/stats", 5)]
    [InlineData("/v2/models/echo/stats", 2)]
    [InlineData("/v2/models/echo/versions/1/stats", 1)]
    public async Task Statistics_Scope_ListsLoadedVersionsWithNumericCounters(string path, int count)
    {
        using var infer = await Http.PostAsync("/v2/models/echo/versions/1/infer", Json(EchoJson(batch: 2)));
        var json = await JsonAsync(await Http.GetAsync(path));

        var stats = json.GetProperty("model_stats").EnumerateArray().ToList();
        Assert.True(stats.Count >= count);
        var echo1 = stats.FirstOrDefault(s => s.GetProperty("name").GetString() == "echo" && s.GetProperty("version").GetString() == "1");
        if (echo1.ValueKind == JsonValueKind.Object)
        {
            Assert.True(echo1.GetProperty("inference_count").GetUInt64() >= 2);
            Assert.Equal(JsonValueKind.Number, echo1.GetProperty("inference_stats").GetProperty("success").GetProperty("ns").ValueKind);
        }
    }

    [Fact]
    public async Task Statistics_UnknownModel_NotFoundError()
    {
        using var response = await Http.GetAsync("/v2/models/nope/stats");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown model 'nope'", await ErrorOfAsync(response));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("{}", false)]
    [InlineData("{\"ready\":true}", true)]
    public async Task RepositoryIndex_Post_BareArrayOptionallyReadyOnly(string body, bool readyOnly)
    {
        var json = await JsonAsync(await Http.PostAsync("/v2/repository/index", Json(body)));

        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        var states = json.EnumerateArray().Select(e => e.GetProperty("state").GetString()).ToList();
        Assert.Equal(readyOnly, states.All(s => s == "READY"));
        Assert.Contains(json.EnumerateArray(), e => e.GetProperty("name").GetString() == "echo");
    }

    [Theory]
    [InlineData("GET", "/v2/nothing-here")]
    [InlineData("GET", "/v2/models/echo/infer")]
    [InlineData("POST", "/v2/models/echo/versions/1/explain")]
    public async Task UnknownPath_AnyMethod_NotFoundWithErrorBody(string method, string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(path, await ErrorOfAsync(response), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return document.RootElement.Clone();
        }
    }
}
