using Xunit.Abstractions;
using MlOps.Monitoring.Drift;
using MlOps.Monitoring.Images;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Tests.Profiles;

namespace MlOps.Monitoring.Tests.Drift;

public sealed class DriftDetectorTests(ITestOutputHelper output)
{
    private const int WindowSize = 200;

    // Smaller reservoirs and fewer permutations than the defaults keep 400 windows fast; the levels are the defaults.
    private static readonly ImageProfileOptions Options = new() { ReservoirCapacity = 100 };
    private static readonly DriftPolicy Policy = new() { MmdPermutations = 200 };

    private static ModelProfile Window(ModelProfile reference, int seed, float brightness = 0, int favoured = -1, double share = 0)
    {
        var live = reference.CreateLike(seed);
        var generator = new SyntheticImages(seed, brightness);
        var random = new Random(seed + 7);
        var image = new float[SyntheticImages.Side * SyntheticImages.Side];
        for (var i = 0; i < WindowSize; i++)
        {
            generator.Fill(image);
            live.Add(image, Draw.Output(Draw.Class(random, 10, favoured, share)));
        }

        return live;
    }

    [Fact]
    public void Compare_NoShift_FalseAlarmRateWithinFamilyWiseAlpha()
    {
        // 20 references × 20 live windows of 200 requests, all from the same generator. The bound is
        // FamilyWiseAlpha = 0.03 → 12 expected alarms at most; allow 12 + 2.33·√(400·0.03·0.97) ≈ 20
        // (one-sided 99% binomial tolerance).
        var detector = new DriftDetector(Policy);
        var results = new DriftReport[400];
        Parallel.For(0, 20, r =>
        {
            var reference = ProfileTests.Reference(1000 + r, 1000, Options);
            for (var w = 0; w < 20; w++)
            {
                results[(r * 20) + w] = detector.Compare(reference, Window(reference, 100_000 + (r * 100) + w));
            }
        });

        Assert.All(results, report => Assert.NotEqual(DriftVerdict.InsufficientData, report.Verdict));
        var alarms = results.Count(report => report.Verdict == DriftVerdict.Drift);
        output.WriteLine($"alarms {alarms}/400; features {results.Count(r => r.Features.Any(f => f.Drifted))}, mmd {results.Count(r => r.Images!.Drifted)}, predictions {results.Count(r => r.Predictions!.Drifted)}; mean MMD p {results.Average(r => r.Images!.Result.PValue):F3}");
        Assert.InRange(alarms, 0, 20);

        // Each family on its own stays within its level (0.01 → 4 expected; allow 4 + 2.33·2 ≈ 9).
        Assert.InRange(results.Count(report => report.Features.Any(f => f.Drifted)), 0, 9);
        Assert.InRange(results.Count(report => report.Images!.Drifted), 0, 9);
        Assert.InRange(results.Count(report => report.Predictions!.Drifted), 0, 9);
    }

    [Fact]
    public void Compare_BrightnessPlus015_DetectedInTheFirstWindowOf200()
    {
        var detector = new DriftDetector(Policy);
        for (var stream = 0; stream < 10; stream++)
        {
            var reference = ProfileTests.Reference(2000 + stream, 1000, Options);
            var report = detector.Compare(reference, Window(reference, 200_000 + stream, brightness: 0.15f));
            output.WriteLine($"stream {stream}: {string.Join("; ", report.Reasons)}");
            Assert.Equal(DriftVerdict.Drift, report.Verdict);
            var mean = report.Features[ImageFeatures.Mean];
            Assert.True(mean.Drifted, $"stream {stream}: mean feature PSI {mean.Psi}, adjusted p {mean.AdjustedPValue}");
            Assert.Equal(0.15, mean.LiveMean - mean.ReferenceMean, tolerance: 0.05);
            Assert.Contains(report.Reasons, r => r.StartsWith("feature mean", StringComparison.Ordinal));
            Assert.False(report.Predictions!.Drifted);
        }
    }

    [Fact]
    public void Compare_ClassMixUniformTo30PercentOneClass_DetectedInTheFirstWindowOf200()
    {
        var detector = new DriftDetector(Policy);
        for (var stream = 0; stream < 10; stream++)
        {
            var reference = ProfileTests.Reference(3000 + stream, 1000, Options);
            var report = detector.Compare(reference, Window(reference, 300_000 + stream, favoured: 3, share: 0.3));
            output.WriteLine($"stream {stream}: {string.Join("; ", report.Reasons)}");
            Assert.Equal(DriftVerdict.Drift, report.Verdict);
            Assert.True(report.Predictions!.Drifted, $"stream {stream}: p {report.Predictions.ChiSquare.PValue}");
            Assert.True(report.Predictions.TotalVariation > 0.1);
            Assert.DoesNotContain(report.Features, f => f.Drifted);
        }
    }

    [Fact]
    public void Compare_SmallWindow_InsufficientDataNotDrift()
    {
        var reference = ProfileTests.Reference(4000, 500, Options);
        var live = reference.CreateLike(1);
        var generator = new SyntheticImages(4001, brightness: 2f);
        for (var i = 0; i < 50; i++)
        {
            live.Add(generator.Next(), Draw.Output(0));
        }

        var report = new DriftDetector(Policy).Compare(reference, live);
        Assert.Equal(DriftVerdict.InsufficientData, report.Verdict);
        Assert.Empty(report.Features);
        Assert.Null(report.Images);
        Assert.Contains(report.Reasons, r => r.Contains("insufficient images", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_SameWindowTwice_SameReport()
    {
        var reference = ProfileTests.Reference(4100, 500, Options);
        var live = Window(reference, 4101, brightness: 0.05f);
        var detector = new DriftDetector(Policy);
        var a = detector.Compare(reference, live);
        var b = detector.Compare(reference, live);
        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.Features, b.Features);
    }

    [Fact]
    public void Constructor_InvalidPolicy_ListsEveryError()
    {
        var policy = new DriftPolicy { KsAlpha = 0, MmdAlpha = 1.5, PsiThreshold = -1, MinSamples = 1, MmdPermutations = 10 };
        var ex = Assert.Throws<ArgumentException>(() => new DriftDetector(policy));
        foreach (var name in new[] { "KsAlpha", "MmdAlpha", "PsiThreshold", "MinSamples" })
        {
            Assert.Contains(name, ex.Message);
        }

        // 50 permutations cannot give p <= 0.01 (the smallest is 1/51).
        var tooFew = Assert.Throws<ArgumentException>(() => new DriftDetector(new DriftPolicy { MmdPermutations = 50 }));
        Assert.Contains("MmdPermutations", tooFew.Message);
    }
}
