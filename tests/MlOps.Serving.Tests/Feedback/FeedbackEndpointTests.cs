using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Serving.Hosting;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Serving.Tests.Protocol.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Feedback;

/// <summary>
/// <c>POST /v2/models/{m}/feedback</c> against a real ONNX Runtime model over real HTTP: predictions of requests with
/// an id are scored against the labels sent later, per version.
/// </summary>
public sealed class FeedbackEndpointTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("feedback");
    private OnnxModelVersion _model = null!;
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp(), "fashion-mlp"), _directory.Combine("mlp.onnx"));
        _model = await OnnxModelVersion.LoadAsync(path, digest, "fashion-mlp", "1");
        _server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(_model));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _model.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Feedback_LabelsForEarlierPredictions_MatchedAndScored()
    {
        var predicted = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            predicted.Add(await PredictAsync($"req-{i}", seed: i));
        }

        // Two right, two wrong (the wrong label is the predicted class + 1).
        var labels = predicted.Select((p, i) => new { id = $"req-{i}", label = i < 2 ? p : (p + 1) % 10 }).ToList<object>();
        labels.Add(new { id = "never-sent", label = 3 });
        using var response = await _server.Http.PostAsJsonAsync("/v2/models/fashion-mlp/feedback", new { labels });
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, json.GetProperty("matched").GetInt32());
        Assert.Equal(["never-sent"], json.GetProperty("unknown").EnumerateArray().Select(e => e.GetString()));
        var version = Assert.Single(json.GetProperty("versions").EnumerateArray());
        Assert.Equal("1", version.GetProperty("version").GetString());
        Assert.Equal(4, version.GetProperty("last_5m").GetProperty("labels").GetInt32());
        Assert.Equal(0.5, version.GetProperty("last_5m").GetProperty("accuracy").GetDouble(), 6);
    }

    [Theory]
    [InlineData("""{"labels": []}""", "'labels' must hold 1 to")]
    [InlineData("""{"labels": [{"id": "a"}]}""", "labels[0].label must be a class index")]
    [InlineData("""{"labels": [{"id": "a", "label": 1}, {"label": 1}]}""", "labels[1].id must be the non-empty id")]
    [InlineData("""[1, 2]""", "must be a JSON object with a 'labels' array")]
    public async Task Feedback_BadBody_BadRequestNamingTheField(string body, string message)
    {
        using var response = await _server.Http.PostAsync("/v2/models/fashion-mlp/feedback", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_UnknownModel_NotFound()
    {
        using var response = await _server.Http.PostAsJsonAsync("/v2/models/nope/feedback", new { labels = new[] { new { id = "a", label = 1 } } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>One image of random pixels with the request id; returns the class the model predicted.</summary>
    private async Task<int> PredictAsync(string id, int seed)
    {
        var random = new Random(seed);
        var pixels = Enumerable.Range(0, 28 * 28).Select(_ => (float)random.NextDouble()).ToArray();
        var request = new { id, inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 1, 28, 28 }, data = pixels } } };
        using var response = await _server.Http.PostAsJsonAsync("/v2/models/fashion-mlp/infer", request);
        response.EnsureSuccessStatusCode();
        var output = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outputs")[0];
        var scores = output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return Array.IndexOf(scores, scores.Max());
    }
}
