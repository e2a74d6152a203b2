using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Agent.Options;
using MlOps.Agent.Serving;
using MlOps.Agent.Tests.Jobs;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Feedback;
using MlOps.Serving.Models;
using MlOps.Serving.Monitoring;

namespace MlOps.Agent.Tests.Serving;

public sealed class ServingWindowReporterTests
{
    private const string ReferenceDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static readonly ModelProfile Reference = ReferenceProfile();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingOutbox _outbox = new();

    [Fact]
    public void Report_RequestsAndLabels_PostsAWindowWithTheirCounts()
    {
        var (profiler, predictions) = Version(sampleEvery: 2);
        Serve(profiler, predictions, requests: 5, labelled: 3, correct: 2);
        _time.Advance(TimeSpan.FromSeconds(60));

        var posted = Reporter().Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        Assert.Equal(1, posted);
        var window = Assert.Single(_outbox.Messages).Window;
        Assert.Equal(("fashion", 3, 5L, 2L, 3L, 2L), (window.Model, window.Version, window.Requests, window.Profiled, window.Labels, window.Correct));
        Assert.Equal(ReferenceDigest, window.ReferenceDigest);
        Assert.Equal(_time.GetUtcNow().AddSeconds(-60), window.Start.ToDateTimeOffset());
        Assert.Equal(_time.GetUtcNow(), window.End.ToDateTimeOffset());
        var profile = ProfileJson.ReadModelProfile(window.Profile.Span);
        Assert.Equal(2, profile.Inputs.Count);
        Assert.Equal(2, profile.Predictions.Total);
    }

    [Fact]
    public void Report_SecondWindow_CountsOnlyWhatCameSinceTheFirst()
    {
        var (profiler, predictions) = Version(sampleEvery: 1);
        var reporter = Reporter();
        Serve(profiler, predictions, requests: 4, labelled: 4, correct: 1, idPrefix: "a");
        reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        Serve(profiler, predictions, requests: 2, labelled: 1, correct: 1, idPrefix: "b");
        reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        var second = _outbox.Messages.Last().Window;
        Assert.Equal((2L, 2L, 1L, 1L), (second.Requests, second.Profiled, second.Labels, second.Correct));
    }

    [Fact]
    public void Report_NoRequestsAndNoLabels_PostsNothing()
    {
        var (profiler, predictions) = Version(sampleEvery: 1);
        var reporter = Reporter();
        Serve(profiler, predictions, requests: 2, labelled: 0, correct: 0);
        reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        var posted = reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        Assert.Equal(0, posted);
        Assert.Single(_outbox.Messages);
    }

    [Fact]
    public void Report_LabelsWithoutRequests_PostsTheLabels()
    {
        var (profiler, predictions) = Version(sampleEvery: 1);
        var reporter = Reporter();
        Serve(profiler, predictions, requests: 3, labelled: 0, correct: 0);
        reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);
        Assert.True(predictions.Label("r0", 3, out _));

        var posted = reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        Assert.Equal(1, posted);
        var window = _outbox.Messages.Last().Window;
        Assert.Equal((0L, 0L, 1L, 1L), (window.Requests, window.Profiled, window.Labels, window.Correct));
    }

    [Fact]
    public void Report_VersionReloaded_LabelsCountFromTheNewLoad()
    {
        var (profiler, predictions) = Version(sampleEvery: 1);
        var reporter = Reporter();
        Serve(profiler, predictions, requests: 3, labelled: 3, correct: 3);
        reporter.Report([new ProfiledVersion("fashion", "3", profiler, predictions)]);

        var (reloaded, freshLog) = Version(sampleEvery: 1);
        Serve(reloaded, freshLog, requests: 1, labelled: 1, correct: 0);
        reporter.Report([new ProfiledVersion("fashion", "3", reloaded, freshLog)]);

        var window = _outbox.Messages.Last().Window;
        Assert.Equal((1L, 1L, 0L), (window.Requests, window.Labels, window.Correct));
    }

    [Fact]
    public void Report_VersionNotARegistryNumber_PostsNothing()
    {
        var (profiler, predictions) = Version(sampleEvery: 1);
        Serve(profiler, predictions, requests: 3, labelled: 0, correct: 0);

        Assert.Equal(0, Reporter().Report([new ProfiledVersion("fashion", "canary", profiler, predictions)]));
        Assert.Empty(_outbox.Messages);
    }

    private ServingWindowReporter Reporter()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions());
        var reconciler = new ServingReconciler(_outbox, options, _time, NullLogger<ServingReconciler>.Instance);
        return new ServingWindowReporter(_outbox, reconciler, options, _time, NullLogger<ServingWindowReporter>.Instance);
    }

    private (LiveProfiler Profiler, PredictionLog Predictions) Version(int sampleEvery) =>
        (new LiveProfiler(Reference, ReferenceDigest, sampleEvery, _time, seed: 1), new PredictionLog(time: _time));

    /// <summary>Serves <paramref name="requests"/> one-image requests predicting class 3 (ids <c>r0</c>, <c>r1</c>, ...),
    /// then labels the first <paramref name="labelled"/>: <paramref name="correct"/> of them with 3, the rest with 4.</summary>
    private static void Serve(LiveProfiler profiler, PredictionLog predictions, int requests, int labelled, int correct, string idPrefix = "r")
    {
        var scores = new float[10];
        scores[3] = 1;
        var image = new byte[784 * sizeof(float)];
        for (var i = 0; i < requests; i++)
        {
            var request = new InferenceRequest("fashion", "3", [new InferenceTensor("input", "FP32", [1, 1, 28, 28], image)]) { Id = idPrefix + i };
            var response = new InferenceResponse("fashion", "3", [new InferenceTensor("output", "FP32", [1, 10], System.Runtime.InteropServices.MemoryMarshal.AsBytes(scores.AsSpan()).ToArray())]);
            predictions.Record(request.Id!, scores, 1);
            profiler.Observe(request, response, 1);
        }

        for (var i = 0; i < labelled; i++)
        {
            Assert.True(predictions.Label(idPrefix + i, i < correct ? 3 : 4, out _));
        }
    }

    private static ModelProfile ReferenceProfile()
    {
        var random = new Random(5);
        var images = Enumerable.Range(0, 40).Select(_ => new ReadOnlyMemory<float>([.. Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble())]));
        var predictions = new PredictionProfile(10);
        for (var i = 0; i < 40; i++)
        {
            predictions.Add(i % 10);
        }

        return new ModelProfile(ImageProfile.CreateReference(images, 28, 28), predictions);
    }
}
