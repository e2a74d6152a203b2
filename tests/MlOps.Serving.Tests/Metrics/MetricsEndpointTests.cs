using Google.Protobuf;
using Grpc.Core;
using MlOps.Contracts.Inference;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Serving.Tests.Protocol.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Metrics;

/// <summary><c>GET /metrics</c> on the real serving stack: an exported MLP in a <see cref="ModelRepository"/>,
/// versions 1 and 2 on the CPU provider, behind Kestrel.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private static readonly string[] Counters =
    [
        "mlops_nv_inference_request_success", "mlops_nv_inference_request_failure", "mlops_nv_inference_count",
        "mlops_nv_inference_exec_count", "mlops_nv_inference_request_duration_us", "mlops_nv_inference_queue_duration_us",
        "mlops_nv_inference_compute_infer_duration_us",
    ];

    private static readonly string[] Histograms =
    [
        "mlops_nv_inference_request_duration_seconds", "mlops_nv_inference_queue_duration_seconds",
        "mlops_nv_inference_compute_infer_duration_seconds", "mlops_nv_inference_batch_size",
    ];

    private const string Provider = "mlops_model_execution_provider";

    private readonly TempDirectory _directory = new("serving-metrics");
    // Pinned to CPU so the provider series reads the same in the GPU build on a GPU node.
    private readonly ModelRepository _repository = new(new OnnxModelVersionOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp(), "mlp"), _directory.Combine("mlp.onnx"));
        await _repository.LoadVersionAsync("mlp", "1", path, digest);
        await _repository.LoadVersionAsync("mlp", "2", path, digest);
        _server = await OpenInferenceTestServer.StartAsync(_repository);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _repository.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Get_Always_PrometheusTextWithEveryFamilyOnce()
    {
        using var response = await _server.Http.GetAsync("/metrics");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([.. Counters, .. Histograms, Provider], families.Keys);
        Assert.All(Counters, name => Assert.Equal("counter", families[name].Type));
        Assert.Equal("gauge", families[Provider].Type);
        Assert.All(Histograms, name => Assert.Equal("histogram", families[name].Type));
        Assert.All(families.Values, f => Assert.False(string.IsNullOrWhiteSpace(f.Help)));
        Assert.All(Counters, name => Assert.Equal(["1", "2"], families[name].Samples.Select(s => s.Label("version"))));
        Assert.All(families.Values.SelectMany(f => f.Samples), s => Assert.Equal("mlp", s.Label("model")));
        Assert.Empty(_server.Errors.Entries);
    }

    [Fact]
    public async Task Get_AfterInferences_CountsGoUp()
    {
        for (var i = 0; i < 3; i++)
        {
            await _server.Client.ModelInferAsync(ImageRequest("1", rows: 2));
        }

        var invalid = ImageRequest("1", rows: 2);
        invalid.Inputs[0].Shape[1] = 2; // [2,2,28,28]: the model takes one channel
        invalid.RawInputContents[0] = ByteString.CopyFrom(new byte[2 * 2 * 28 * 28 * 4]);
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.ModelInferAsync(invalid).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        var families = await ScrapeAsync();

        Assert.Equal(3, Value(families, "mlops_nv_inference_request_success", "1"));
        Assert.Equal(1, Value(families, "mlops_nv_inference_request_failure", "1"));
        Assert.Equal(6, Value(families, "mlops_nv_inference_count", "1"));
        Assert.Equal(3, Value(families, "mlops_nv_inference_exec_count", "1")); // one at a time: no merging
        Assert.True(Value(families, "mlops_nv_inference_request_duration_us", "1") > 0);
        Assert.True(Value(families, "mlops_nv_inference_compute_infer_duration_us", "1") > 0);
        Assert.Equal(4, Value(families, "mlops_nv_inference_request_duration_seconds_count", "1"));
        Assert.Equal(3, Value(families, "mlops_nv_inference_queue_duration_seconds_count", "1"));
        Assert.Equal(3, Value(families, "mlops_nv_inference_compute_infer_duration_seconds_count", "1"));
        Assert.Equal(3, Value(families, "mlops_nv_inference_batch_size_count", "1"));
        Assert.Equal(6, Value(families, "mlops_nv_inference_batch_size_sum", "1"));
        Assert.Equal(0, Bucket(families, "mlops_nv_inference_batch_size", "1", "1"));
        Assert.Equal(3, Bucket(families, "mlops_nv_inference_batch_size", "1", "2"));
        Assert.Equal(0, Value(families, "mlops_nv_inference_request_success", "2")); // the other version untouched
        Assert.Equal(0, Value(families, "mlops_nv_inference_request_duration_seconds_count", "2"));
        Assert.Empty(_server.Errors.Entries);
    }

    [Fact]
    public async Task Get_AfterInferences_HistogramsCumulativeAndCountIsSuccessPlusFailure()
    {
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => _server.Client.ModelInferAsync(ImageRequest("2", rows: 1 + (i % 3))).ResponseAsync));
        var oversized = ImageRequest("2", rows: 65); // above the maximum batch of 64
        await Assert.ThrowsAsync<RpcException>(() => _server.Client.ModelInferAsync(oversized).ResponseAsync);

        var families = await ScrapeAsync();

        foreach (var name in Histograms)
        {
            var buckets = families[name].Samples.Where(s => s.Name == name + "_bucket" && s.Label("version") == "2").ToList();
            var counts = buckets.Select(b => b.Value).ToList();
            Assert.Equal(counts.Order(), counts); // cumulative: never decreasing
            Assert.Equal("+Inf", buckets[^1].Label("le"));
            Assert.Equal(Value(families, name + "_count", "2"), counts[^1]);
            var bounds = buckets.SkipLast(1).Select(b => double.Parse(b.Label("le")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(bounds.Order(), bounds);
        }

        var requests = Value(families, "mlops_nv_inference_request_success", "2") + Value(families, "mlops_nv_inference_request_failure", "2");
        Assert.Equal((16.0, 17.0), (Value(families, "mlops_nv_inference_request_success", "2"), requests));
        Assert.Equal(requests, Value(families, "mlops_nv_inference_request_duration_seconds_count", "2"));
        Assert.Equal(Value(families, "mlops_nv_inference_exec_count", "2"), Value(families, "mlops_nv_inference_batch_size_count", "2"));
        Assert.Equal(Value(families, "mlops_nv_inference_count", "2"), Value(families, "mlops_nv_inference_batch_size_sum", "2"));
        // The Triton-style counter is the histogram's sum, in whole microseconds.
        var sumSeconds = Value(families, "mlops_nv_inference_request_duration_seconds_sum", "2");
        Assert.InRange(Value(families, "mlops_nv_inference_request_duration_us", "2"), Math.Floor(sumSeconds * 1e6) - 1, sumSeconds * 1e6);
        Assert.Empty(_server.Errors.Entries);
    }

    [Fact]
    public async Task Get_UnloadedVersion_SeriesDisappear()
    {
        await _server.Client.ModelInferAsync(ImageRequest("2", rows: 1));

        await _repository.UnloadVersionAsync("mlp", "2");
        var families = await ScrapeAsync();

        Assert.All(families.Values.SelectMany(f => f.Samples), s => Assert.Equal("1", s.Label("version")));
        Assert.Equal([.. Counters, .. Histograms, Provider], families.Keys); // the families stay
    }

    [Fact]
    public async Task Get_LoadedCpuVersions_ExecutionProviderCpuPerVersion()
    {
        var families = await ScrapeAsync();

        var samples = families[Provider].Samples;
        Assert.Equal(["1", "2"], samples.Select(s => s.Label("version")));
        Assert.All(samples, s => Assert.Equal(("mlp", "CPU", 1.0), (s.Label("model"), s.Label("provider"), s.Value)));
    }

    [Fact]
    public async Task Get_UnloadedVersion_ExecutionProviderSeriesDisappears()
    {
        await _repository.UnloadVersionAsync("mlp", "2");

        var families = await ScrapeAsync();

        var sample = Assert.Single(families[Provider].Samples);
        Assert.Equal(("1", "CPU"), (sample.Label("version"), sample.Label("provider")));
    }

    [Fact]
    public async Task Get_ModelWithoutExecutionProvider_FamilyWithoutSeries()
    {
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(new EchoModelForTests("echo", "1")));

        var families = PrometheusText.Parse(await server.Http.GetStringAsync("/metrics"));

        Assert.Empty(families[Provider].Samples);
        Assert.Single(families["mlops_nv_inference_request_success"].Samples);
    }

    [Fact]
    public async Task Get_ModelNameWithQuoteBackslashAndNewline_LabelEscapedAndParsedBack()
    {
        const string odd = "we\"ird\\name\nx";
        await using var server = await OpenInferenceTestServer.StartAsync(new InMemoryRepositoryForTests().Add(new EchoModelForTests(odd, "1")));

        var text = await server.Http.GetStringAsync("/metrics");

        Assert.Contains("mlops_nv_inference_request_success{model=\"we\\\"ird\\\\name\\nx\",version=\"1\"} 0\n", text);
        var sample = Assert.Single(PrometheusText.Parse(text)["mlops_nv_inference_request_success"].Samples);
        Assert.Equal(odd, sample.Label("model"));
    }

    private async Task<IReadOnlyDictionary<string, PrometheusFamily>> ScrapeAsync() =>
        PrometheusText.Parse(await _server.Http.GetStringAsync("/metrics"));

    /// <summary>The value of the one sample named <paramref name="sample"/> (a family, or a histogram's <c>_sum</c> or
    /// <c>_count</c>) for <paramref name="version"/>.</summary>
    private static double Value(IReadOnlyDictionary<string, PrometheusFamily> families, string sample, string version) =>
        families.Values.SelectMany(f => f.Samples).Single(s => s.Name == sample && s.Label("version") == version).Value;

    private static double Bucket(IReadOnlyDictionary<string, PrometheusFamily> families, string family, string version, string le) =>
        families[family].Samples.Single(s => s.Name == family + "_bucket" && s.Label("version") == version && s.Label("le") == le).Value;

    private static ModelInferRequest ImageRequest(string version, int rows)
    {
        var request = new ModelInferRequest { ModelName = "mlp", ModelVersion = version };
        request.Inputs.Add(ProtocolRequests.Input("input", "FP32", rows, 1, 28, 28));
        request.RawInputContents.Add(ByteString.CopyFrom(ProtocolRequests.Bytes(Tensors.Images(rows, seed: rows))));
        return request;
    }
}
