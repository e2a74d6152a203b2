using MlOps.Monitoring.Images;
using MlOps.Monitoring.Profiles;

namespace MlOps.Monitoring.Tests.Profiles;

public sealed class ProfileTests
{
    internal static ModelProfile Reference(int seed, int images = 1000, ImageProfileOptions? options = null)
    {
        var generator = new SyntheticImages(seed);
        var random = new Random(seed + 1);
        var predictions = new PredictionProfile(10);
        for (var i = 0; i < images; i++)
        {
            predictions.Add(Draw.Class(random));
        }

        return new ModelProfile(ImageProfile.CreateReference(generator.Take(images), 28, 28, options), predictions);
    }

    [Fact]
    public void CreateReference_FeatureDecilesAndCounts()
    {
        var profile = Reference(60).Inputs;
        Assert.Equal(1000, profile.Count);
        Assert.Equal(ImageFeatures.Names, profile.Features.Select(f => f.Name));
        foreach (var feature in profile.Features)
        {
            Assert.Equal(1000, feature.Count);
            Assert.Equal(10, feature.Histogram.Edges.BinCount);
            // 100 each for continuous features; ink_fraction is discrete (k/784), so ties shift a few.
            Assert.All(feature.Histogram.Counts.ToArray(), c => Assert.InRange(c, 90, 110));
        }

        Assert.Equal(256, profile.Sample.RowCount);
        Assert.Equal(1000, profile.Sample.Seen);
    }

    [Fact]
    public void Merge_LiveHalves_EqualsWholeWindow()
    {
        var reference = Reference(61, 300).Inputs;
        var generator = new SyntheticImages(62);
        var whole = reference.CreateLike(1);
        var left = reference.CreateLike(2);
        var right = reference.CreateLike(3);
        for (var i = 0; i < 200; i++)
        {
            var image = generator.Next();
            whole.Add(image);
            (i % 2 == 0 ? left : right).Add(image);
        }

        left.Merge(right);
        Assert.Equal(whole.Count, left.Count);
        for (var f = 0; f < ImageFeatures.Count; f++)
        {
            Assert.Equal(whole.Features[f].Histogram.Counts.ToArray(), left.Features[f].Histogram.Counts.ToArray());
            Assert.Equal(whole.Features[f].Moments.Mean, left.Features[f].Moments.Mean, 10);
            Assert.Equal(whole.Features[f].Moments.Variance, left.Features[f].Moments.Variance, 10);
        }

        Assert.Equal(whole.Pixels.Mean[400], left.Pixels.Mean[400], 10);
        Assert.Equal(200, left.Sample.Seen);
        Assert.Equal(200, left.Sample.RowCount);
    }

    [Fact]
    public void Merge_ProfilesFromDifferentReferences_Throws()
    {
        var a = Reference(63, 200).Inputs.CreateLike(1);
        var b = Reference(64, 200).Inputs.CreateLike(1);
        var ex = Assert.Throws<ArgumentException>(() => a.Merge(b));
        Assert.Contains("bin edges", ex.Message);
    }

    [Fact]
    public void ReservoirSample_KeepsEachItemWithProbabilityCapacityOverSeen()
    {
        // 2000 seeded streams of 20 items into a reservoir of 5: each item kept with probability 1/4,
        // so about 500 times; allow ±4 standard deviations (√(2000·0.25·0.75) ≈ 19.4).
        var kept = new int[20];
        for (var s = 0; s < 2000; s++)
        {
            var reservoir = new ReservoirSample(5, 1, s);
            for (var i = 0; i < 20; i++)
            {
                reservoir.Add([i]);
            }

            foreach (var v in reservoir.Rows)
            {
                kept[(int)v]++;
            }
        }

        Assert.All(kept, k => Assert.InRange(k, 422, 578));
    }

    [Fact]
    public void PredictionProfile_AddOutputTakesArgMaxAndMerges()
    {
        var a = new PredictionProfile(3);
        a.AddOutput([0.1f, 0.7f, 0.2f]);
        a.AddOutput([0.5f, 0.2f, 0.3f]);
        var b = new PredictionProfile(3);
        b.Add(1);
        a.Merge(b);
        Assert.Equal([1L, 2L, 0L], a.Counts.ToArray());
        Assert.Equal(3, a.Total);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Add(3));
    }
}
