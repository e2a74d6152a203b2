using System.Net;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Rest;

/// <summary>Each bad REST request gets <c>{"error": "..."}</c> naming the problem with a specific status.</summary>
public sealed class RestBadInputTests : IAsyncLifetime
{
    private const string Input = """{"name":"input","datatype":"FP32","shape":[2,4],"data":[1,2,3,4,5,6,7,8]}""";

    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenInferenceTestServer.StartWithEchoAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, HttpStatusCode, string> JsonCases => new()
    {
        { "echo", """{"inputs":[{"name":"pixels","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "model 'echo' has no input 'pixels'" },
        { "echo", """{"inputs":[{"name":"input","datatype":"INT32","shape":[1,4],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "input 'input' must be FP32, got INT32" },
        { "echo", """{"inputs":[{"name":"input","datatype":"fp32","shape":[1,4],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "input 'input' has unknown datatype 'fp32'" },
        { "echo", """{"inputs":[{"name":"input","datatype":"FP32","shape":[4,1],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "input 'input' must have shape [-1,4], got [4,1]" },
        { "echo", """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"data":[1,2,3]}]}""", HttpStatusCode.BadRequest, "input 'input' data has 3 elements but shape [2,4] needs 8" },
        { "echo", """{"inputs":[{"name":"input","datatype":"FP32","shape":[-2,4],"data":[1]}]}""", HttpStatusCode.BadRequest, "input 'input' has a negative dimension in shape [-2,4]" },
        { "echo", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[1,2,"x",4]}]}""", HttpStatusCode.BadRequest, "input 'input' element 2 (\"x\") is not a valid FP32" },
        { "echo", $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[9,4],"data":[{{string.Join(",", Rows(9))}}]}]}""", HttpStatusCode.BadRequest, "batch of 9 exceeds the maximum batch size 8 of model 'echo'" },
        { "echo", $$"""{"inputs":[{{Input}},{{Input}}]}""", HttpStatusCode.BadRequest, "input 'input' appears more than once" },
        { "echo", $$"""{"inputs":[{{Input}}],"outputs":[{"name":"output"},{"name":"output"}]}""", HttpStatusCode.BadRequest, "output 'output' is requested more than once" },
        { "echo", $$"""{"inputs":[{{Input}}],"outputs":[{"name":"logits"}]}""", HttpStatusCode.BadRequest, "model 'echo' has no output 'logits'" },
        { "echo", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4]}]}""", HttpStatusCode.BadRequest, "input 'input' has neither 'data' nor parameters.binary_data_size" },
        { "echo", """{"inputs":[{"name":"input","shape":[1,4],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "input 'input' has no 'datatype'" },
        { "echo", """{"inputs":[{"name":"input","datatype":"FP32","shape":"1,4","data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "input 'input' 'shape' must be an array" },
        { "echo", """{"inputs":{}}""", HttpStatusCode.BadRequest, "the request 'inputs' must be an array" },
        { "echo", """[1,2,3]""", HttpStatusCode.BadRequest, "the inference request must be a JSON object" },
        { "echo", """{"inputs":[{"name":"input",""", HttpStatusCode.BadRequest, "the request body is not valid JSON" },
        // Escaped lone surrogates parsed fine and threw InvalidOperationException (a 500) when read (found by fuzzing).
        { "echo", $$"""{"id":"\udc00","inputs":[{{Input}}]}""", HttpStatusCode.BadRequest, "the request JSON has an invalid \\u escape (a lone UTF-16 surrogate)" },
        { "echo", """{"inputs":[{"name":"\ud800","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "the request JSON has an invalid \\u escape" },
        { "echo", """{"inputs":[{"name":"input","dat\ud80a":1,"datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""", HttpStatusCode.BadRequest, "the request JSON has an invalid \\u escape" },
        { "nope", $$"""{"inputs":[{{Input}}]}""", HttpStatusCode.NotFound, "unknown model 'nope'" },
        { "echo/versions/9", $$"""{"inputs":[{{Input}}]}""", HttpStatusCode.NotFound, "model 'echo' has no version '9'" },
        { "warming", $$"""{"inputs":[{{Input}}]}""", HttpStatusCode.ServiceUnavailable, "model 'warming' has no ready version" },
        { "warming/versions/1", $$"""{"inputs":[{{Input}}]}""", HttpStatusCode.ServiceUnavailable, "model 'warming' version '1' is not ready" },
        { "busy", $$"""{"inputs":[{{Input}}]}""", HttpStatusCode.TooManyRequests, "queue of model 'busy' is full" },
        { "failing", $$"""{"inputs":[{{Input}}]}""", HttpStatusCode.InternalServerError, "model 'failing' failed to run" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Infer_BadJsonRequest_ErrorBodyNamingTheProblem(string model, string body, HttpStatusCode code, string message)
    {
        using var response = await _server.Http.PostAsync($"/v2/models/{model}/infer", Json(body));

        Assert.Equal(code, response.StatusCode);
        Assert.StartsWith(message, await ErrorOfAsync(response), StringComparison.Ordinal);
        Assert.Empty(_server.Errors.Entries);
    }

    public static TheoryData<string, int, int, string> BinaryCases => new()
    {
        // header JSON, binary bytes actually sent, header length adjustment, expected message
        { """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":32}}]}""", 20, 0, "input 'input' binary_data_size 32 exceeds the 20 bytes of binary data left in the body (truncated payload?)" },
        { """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":28}}]}""", 28, 0, "input 'input' with shape [2,4] and datatype FP32 needs 32 bytes, got 28" },
        { """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":32}}]}""", 40, 0, "the body has 8 bytes of binary data that no input's binary_data_size claims" },
        { """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":32}}]}""", 32, 1000, "Inference-Header-Content-Length" },
        { """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"data":[1,2,3,4,5,6,7,8],"parameters":{"binary_data_size":32}}]}""", 32, 0, "input 'input' has both 'data' and parameters.binary_data_size" },
        { """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":-1}}]}""", 0, 0, "input 'input' parameters 'binary_data_size' must be a non-negative integer" },
    };

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public async Task Infer_BadBinaryRequest_BadRequestNamingTheProblem(string header, int binaryBytes, int headerLengthExtra, string message)
    {
        using var content = Binary(header, new byte[binaryBytes]);
        if (headerLengthExtra != 0)
        {
            content.Headers.Remove("Inference-Header-Content-Length");
            content.Headers.Add("Inference-Header-Content-Length", (System.Text.Encoding.UTF8.GetByteCount(header) + headerLengthExtra).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await _server.Http.PostAsync("/v2/models/echo/infer", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(message, await ErrorOfAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_RawBinaryBodyNotOneRow_BadRequest()
    {
        using var content = new ByteArrayContent(new byte[10]);
        content.Headers.Add("Inference-Header-Content-Length", "0");

        using var response = await _server.Http.PostAsync("/v2/models/echo/infer", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("input 'input' with shape [1,4] and datatype FP32 needs 16 bytes, got 10", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Infer_JsonNotUtf8_BadRequest()
    {
        using var content = new ByteArrayContent([.. "{\"id\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()]);

        using var response = await _server.Http.PostAsync("/v2/models/echo/infer", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the request JSON is not valid UTF-8", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Infer_UnsupportedContentEncoding_UnsupportedMediaType()
    {
        using var content = Json(EchoJson());
        content.Headers.ContentEncoding.Add("br");

        using var response = await _server.Http.PostAsync("/v2/models/echo/infer", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Content-Encoding 'br' is not supported (use gzip or deflate)", await ErrorOfAsync(response));
    }

    [Fact]
    public async Task Infer_ModelThrowsUnexpectedException_InternalServerErrorAndLogged()
    {
        using var response = await _server.Http.PostAsync("/v2/models/broken/infer", Json(EchoJson()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("internal error: onnxruntime exploded", await ErrorOfAsync(response));
        Assert.Single(_server.Errors.Entries);
    }

    [Fact]
    public async Task Infer_BodyOverConfiguredLimit_PayloadTooLargeAndServerStaysUp()
    {
        await using var server = await OpenInferenceTestServer.StartWithEchoAsync(o => o.MaxMessageBytes = 16 * 1024);
        var oversized = Binary("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":32}}]}""", new byte[64 * 1024]);

        using var response = await server.Http.PostAsync("/v2/models/echo/infer", oversized);
        using var valid = await server.Http.PostAsync("/v2/models/echo/infer", Json(EchoJson()));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request body is larger than the 16384-byte limit", await ErrorOfAsync(response));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }
}
