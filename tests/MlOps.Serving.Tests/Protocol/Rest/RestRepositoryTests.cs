using System.Net;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Rest;

/// <summary>REST load and unload; each test has its own server because they change what is served.</summary>
public sealed class RestRepositoryTests
{
    [Fact]
    public async Task UnloadThenLoad_Echo_ExactlyOkAndReadinessFollows()
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(new EchoModelForTests()));
        var http = server.Http;

        using var unload = await http.PostAsync("/v2/repository/models/echo/unload", Json("{\"parameters\":{\"unload_dependents\":false}}"));
        using var readyAfterUnload = await http.GetAsync("/v2/models/echo/ready");
        using var serverReady = await http.GetAsync("/v2/health/ready");
        using var inferAfterUnload = await http.PostAsync("/v2/models/echo/infer", Json(EchoJson()));
        using var load = await http.PostAsync("/v2/repository/models/echo/load", null);
        using var readyAfterLoad = await http.GetAsync("/v2/models/echo/ready");

        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, readyAfterUnload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, serverReady.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, inferAfterUnload.StatusCode);
        Assert.Equal("model 'echo' has no ready version", await ErrorOfAsync(inferAfterUnload));
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyAfterLoad.StatusCode);
    }

    [Theory]
    [InlineData("nope", "", HttpStatusCode.NotFound, "unknown model 'nope'")]
    [InlineData("echo", "{\"parameters\":{\"config\":\"{}\"}}", HttpStatusCode.BadRequest, "load parameter 'config' is not supported")]
    [InlineData("echo", "{\"parameters\":{\"file:1/model.onnx\":\"AAAA\"}}", HttpStatusCode.BadRequest, "load parameter 'file:1/model.onnx'")]
    [InlineData("echo", "[1,2]", HttpStatusCode.BadRequest, "the request body must be a JSON object")]
    [InlineData("echo", "{\"parameters\":", HttpStatusCode.BadRequest, "the request body is not valid JSON")]
    public async Task Load_BadRequest_ErrorBodyWithSpecificStatus(string model, string body, HttpStatusCode code, string message)
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(new EchoModelForTests()));

        using var response = await server.Http.PostAsync($"/v2/repository/models/{model}/load", Json(body));

        Assert.Equal(code, response.StatusCode);
        Assert.StartsWith(message, await ErrorOfAsync(response), StringComparison.Ordinal);
    }
}
