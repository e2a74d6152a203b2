using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Core.Digests;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;
using MlOps.Serving.Monitoring;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Monitoring;

public sealed class LiveProfilerTests : IDisposable
{
    private static readonly ModelProfile Reference = ReferenceProfile();
    private readonly TempDirectory _directory = new("serving-live-profile");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Observe_EveryFourth_ProfilesOneRequestInFour()
    {
        var profiler = new LiveProfiler(Reference, Digest, sampleEvery: 4, _time, seed: 1);

        for (var i = 0; i < 22; i++)
        {
            Observe(profiler, rows: 1);
        }

        var window = profiler.TakeWindow();
        Assert.Equal(22, window.Requests);
        Assert.Equal(5, window.Profiled);
        Assert.Equal(5, window.Profile.Inputs.Count);
        Assert.Equal(5, window.Profile.Predictions.Total);
    }

    [Fact]
    public void Observe_RateCap_ProfilesAtMostThatManyRequestsASecond()
    {
        var profiler = new LiveProfiler(Reference, Digest, sampleEvery: 1, _time, seed: 1) { MaxPerSecond = 10 };

        for (var i = 0; i < 50; i++)
        {
            Observe(profiler, rows: 1); // a burst at one instant: only the first gets in
        }

        for (var step = 0; step < 10; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            Observe(profiler, rows: 1);
            Observe(profiler, rows: 1);
        }

        var window = profiler.TakeWindow();
        Assert.Equal((70L, 11L), (window.Requests, window.Profiled));
        Assert.Equal(10, profiler.MaxPerSecond);
    }

    [Fact]
    public void Observe_BatchOfRows_AddsEveryRowOfASampledRequest()
    {
        var profiler = new LiveProfiler(Reference, Digest, sampleEvery: 1, _time, seed: 1);

        Observe(profiler, rows: 3);
        Observe(profiler, rows: 2, threeDimensional: true);

        var window = profiler.TakeWindow();
        Assert.Equal(2, window.Requests);
        Assert.Equal(5, window.Profiled);
        Assert.Equal(5, window.Profile.Predictions.Total);
        Assert.Equal(5, window.Profile.Predictions.Counts[3]); // every row's scores peak at class 3
    }

    [Fact]
    public void Observe_ProfileHeldByAnotherThread_SkipsTheSampleWithoutWaiting()
    {
        var profiler = new LiveProfiler(Reference, Digest, sampleEvery: 1, _time, seed: 1);
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            profiler.Gate.Enter();
            held.Set();
            release.Wait();
            profiler.Gate.Exit();
        });
        holder.Start();
        held.Wait();

        Observe(profiler, rows: 1);
        release.Set();
        holder.Join();
        Observe(profiler, rows: 1);

        Assert.Equal(1, profiler.BusySkips);
        var window = profiler.TakeWindow();
        Assert.Equal(2, window.Requests);
        Assert.Equal(1, window.Profiled);
    }

    [Fact]
    public void TakeWindow_SwapsInAFreshProfile_NextWindowCountsOnlyNewRequests()
    {
        var profiler = new LiveProfiler(Reference, Digest, sampleEvery: 2, _time, seed: 1);
        var opened = _time.GetUtcNow();
        for (var i = 0; i < 6; i++)
        {
            Observe(profiler, rows: 1);
        }

        _time.Advance(TimeSpan.FromSeconds(60));
        var first = profiler.TakeWindow();
        Observe(profiler, rows: 1);
        Observe(profiler, rows: 1);
        _time.Advance(TimeSpan.FromSeconds(30));
        var second = profiler.TakeWindow();

        Assert.Equal((opened, opened.AddSeconds(60), 6L, 3L), (first.Start, first.End, first.Requests, first.Profiled));
        Assert.Equal((opened.AddSeconds(60), opened.AddSeconds(90), 2L, 1L), (second.Start, second.End, second.Requests, second.Profiled));
        Assert.Equal(3, first.Profile.Inputs.Count); // the taken profile is no longer written to
        Assert.Equal(1, second.Profile.Inputs.Count);
        Assert.NotSame(first.Profile, second.Profile);
    }

    [Theory]
    [InlineData("FP32", new long[] { 1, 784 }, 10)]
    [InlineData("FP32", new long[] { 1, 1, 14, 56 }, 10)]
    [InlineData("FP32", new long[] { 1, 2, 28, 28 }, 10)]
    [InlineData("FP64", new long[] { 1, 1, 28, 28 }, 10)]
    [InlineData("FP32", new long[] { 1, 1, 28, 28 }, 5)]
    public void Observe_InputOrOutputOfAnotherShape_CountsTheRequestButProfilesNothing(string dataType, long[] inputShape, int classes)
    {
        var profiler = new LiveProfiler(Reference, Digest, sampleEvery: 1, _time, seed: 1);
        var elements = (int)inputShape.Aggregate(1L, (a, b) => a * b) * (dataType == "FP64" ? 2 : 1);
        var request = new InferenceRequest("m", "1", [new InferenceTensor("input", dataType, inputShape, new byte[elements * 4])]);
        var response = new InferenceResponse("m", "1", [Tensors.Fp32("output", new float[classes], 1, classes)]);

        profiler.Observe(request, response, 1);

        var window = profiler.TakeWindow();
        Assert.Equal(1, window.Requests);
        Assert.Equal(0, window.Profiled);
        Assert.Equal(0, window.Profile.Inputs.Count);
    }

    [Fact]
    public void TryLoad_NoProfileFile_ReturnsNull()
    {
        Directory.CreateDirectory(_directory.Combine("model"));

        Assert.Null(LiveProfiler.TryLoad(_directory.Combine("model"), "m", "1", 8, _time, NullLogger.Instance));
    }

    [Fact]
    public void TryLoad_ProfileFile_ReadsTheReferenceAndDigestsTheFile()
    {
        var bytes = ProfileJson.Serialize(Reference);
        Directory.CreateDirectory(_directory.Combine("model"));
        File.WriteAllBytes(_directory.Combine("model", LiveProfiler.FileName), bytes);

        var profiler = LiveProfiler.TryLoad(_directory.Combine("model"), "m", "1", 8, _time, NullLogger.Instance);

        Assert.NotNull(profiler);
        Assert.Equal(Sha256Digest.OfBytes(bytes), profiler.ReferenceDigest);
        Assert.Equal(8, profiler.SampleEvery);
        Assert.Equal(Reference.Inputs.Count, profiler.Reference.Inputs.Count);
    }

    [Fact]
    public void TryLoad_SamplingOff_ReturnsNull()
    {
        Directory.CreateDirectory(_directory.Combine("model"));
        File.WriteAllBytes(_directory.Combine("model", LiveProfiler.FileName), ProfileJson.Serialize(Reference));

        Assert.Null(LiveProfiler.TryLoad(_directory.Combine("model"), "m", "1", 0, _time, NullLogger.Instance));
    }

    [Fact]
    public void TryLoad_DamagedProfile_ReturnsNullAndWarns()
    {
        Directory.CreateDirectory(_directory.Combine("model"));
        File.WriteAllText(_directory.Combine("model", LiveProfiler.FileName), "{\"format_version\": 1");
        var logger = new RecordingLogger();

        Assert.Null(LiveProfiler.TryLoad(_directory.Combine("model"), "m", "1", 8, _time, logger));
        Assert.Contains(logger.Entries, e => e.Id.Id == 3201);
    }

    [Fact]
    public async Task LoadVersionAsync_DirectoryWithProfile_ProfilesServedRequests()
    {
        var directory = _directory.Combine("with");
        var (_, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), Path.Combine(directory, ModelFiles.OnnxFileName));
        File.WriteAllBytes(Path.Combine(directory, LiveProfiler.FileName), ProfileJson.Serialize(Reference));
        await using var repository = new ModelRepository(new() { ProfileSampleEvery = 2, ProfileMaxPerSecond = 0 });

        var version = await repository.LoadVersionAsync("mlp", "1", directory, digest);
        for (var i = 0; i < 4; i++)
        {
            await version.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(2, seed: i), 2), CancellationToken.None);
        }

        Assert.NotNull(version.Profiler);
        var window = version.Profiler.TakeWindow();
        Assert.Equal(4, window.Requests);
        Assert.Equal(4, window.Profiled); // requests 2 and 4, two rows each
    }

    [Fact]
    public async Task LoadVersionAsync_DirectoryWithoutProfile_HasNoProfiler()
    {
        var directory = _directory.Combine("without");
        var (_, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), Path.Combine(directory, ModelFiles.OnnxFileName));
        await using var repository = new ModelRepository();

        var version = await repository.LoadVersionAsync("mlp", "1", directory, digest);

        Assert.Null(version.Profiler);
    }

    public void Dispose() => _directory.Dispose();

    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>A request of <paramref name="rows"/> images whose scores all peak at class 3.</summary>
    private static void Observe(LiveProfiler profiler, int rows, bool threeDimensional = false)
    {
        var images = Tensors.Images(rows, seed: rows);
        var input = threeDimensional ? Tensors.Fp32("input", images, rows, 28, 28) : Tensors.Fp32("input", images, rows, 1, 28, 28);
        var scores = new float[rows * 10];
        for (var row = 0; row < rows; row++)
        {
            scores[(row * 10) + 3] = 1;
        }

        profiler.Observe(new InferenceRequest("m", "1", [input]), new InferenceResponse("m", "1", [Tensors.Fp32("output", scores, rows, 10)]), rows);
    }

    private static ModelProfile ReferenceProfile()
    {
        var images = Enumerable.Range(0, 50).Select(i => new ReadOnlyMemory<float>(Tensors.Images(1, seed: 100 + i)));
        var predictions = new PredictionProfile(10);
        for (var i = 0; i < 50; i++)
        {
            predictions.Add(i % 10);
        }

        return new ModelProfile(ImageProfile.CreateReference(images, 28, 28), predictions);
    }
}
