using MlOps.Monitoring.Images;

namespace MlOps.Monitoring.Tests.Images;

public sealed class PixelMomentsTests
{
    [Fact]
    public void Merge_TwoHalves_EqualsWhole()
    {
        var generator = new SyntheticImages(50);
        PixelMoments whole = new(28, 28), left = new(28, 28), right = new(28, 28);
        for (var i = 0; i < 301; i++)
        {
            var image = generator.Next();
            whole.Add(image);
            (i < 120 ? left : right).Add(image);
        }

        left.Merge(right);
        Assert.Equal(whole.Count, left.Count);
        for (var p = 0; p < 28 * 28; p++)
        {
            Assert.Equal(whole.Mean[p], left.Mean[p], 10);
            Assert.Equal(whole.Variance(p), left.Variance(p), 9);
        }
    }

    [Fact]
    public void Add_MatchesDirectMeanAndVariance()
    {
        var moments = new PixelMoments(1, 2);
        moments.Add([1f, 10f]);
        moments.Add([3f, 10f]);
        moments.Add([5f, 10f]);
        Assert.Equal(3, moments.Mean[0], 12);
        Assert.Equal(4, moments.Variance(0), 12);
        Assert.Equal(0, moments.Variance(1), 12);
    }

    [Fact]
    public void Merge_DifferentShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PixelMoments(28, 28).Merge(new PixelMoments(14, 56)));
    }
}
