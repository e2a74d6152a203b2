using MlOps.Monitoring.Images;

namespace MlOps.Monitoring.Tests.Images;

public sealed class ImageFeaturesTests
{
    private static double[] Features(float[] pixels, int height, int width, float ink = 0)
    {
        var features = new double[ImageFeatures.Count];
        ImageFeatures.Compute(pixels, height, width, ink, features);
        return features;
    }

    [Fact]
    public void Compute_FlatImage_NoContrastNoGradientCentred()
    {
        var f = Features(Enumerable.Repeat(0.7f, 28 * 28).ToArray(), 28, 28);
        Assert.Equal(0.7, f[ImageFeatures.Mean], 6);
        Assert.Equal(0, f[ImageFeatures.StandardDeviation], 6);
        Assert.Equal(1, f[ImageFeatures.InkFraction]);
        Assert.Equal(0, f[ImageFeatures.CenterMinusBorder], 6);
        Assert.Equal(0, f[ImageFeatures.GradientX]);
        Assert.Equal(0, f[ImageFeatures.GradientY]);
        Assert.Equal(0.5, f[ImageFeatures.CenterOfMassX]);
        Assert.Equal(0.5, f[ImageFeatures.CenterOfMassY]);
    }

    [Fact]
    public void Compute_OneBrightPixel_KnownValues()
    {
        // 4×5 image of −1 with a single +1 at row 1, column 3.
        var pixels = Enumerable.Repeat(-1f, 20).ToArray();
        pixels[(1 * 5) + 3] = 1f;
        var f = Features(pixels, 4, 5);
        Assert.Equal(-0.9, f[ImageFeatures.Mean], 9);
        Assert.Equal(Math.Sqrt(1 - 0.81), f[ImageFeatures.StandardDeviation], 9);
        Assert.Equal(0.05, f[ImageFeatures.InkFraction], 12);
        // Centre region: rows 1..2, columns 1..3 (6 pixels, the bright one included) vs 14 border pixels.
        Assert.Equal(((-5 + 1) / 6.0) - (-1.0), f[ImageFeatures.CenterMinusBorder], 9);
        // Horizontal: two differences of 2 among 4·4 pairs; vertical: two among 3·5 pairs.
        Assert.Equal(8 / 16.0, f[ImageFeatures.GradientX], 9);
        Assert.Equal(8 / 15.0, f[ImageFeatures.GradientY], 9);
        // Only the bright pixel has weight above the minimum.
        Assert.Equal(3 / 4.0, f[ImageFeatures.CenterOfMassX], 9);
        Assert.Equal(1 / 3.0, f[ImageFeatures.CenterOfMassY], 9);
    }

    [Fact]
    public void Compute_BrightnessOffset_MovesOnlyMeanAndInk()
    {
        var image = new SyntheticImages(40).Next();
        var shifted = image.Select(p => p + 0.15f).ToArray();
        var a = Features(image, 28, 28);
        var b = Features(shifted, 28, 28);
        Assert.Equal(a[ImageFeatures.Mean] + 0.15, b[ImageFeatures.Mean], 5);
        Assert.Equal(a[ImageFeatures.StandardDeviation], b[ImageFeatures.StandardDeviation], 5);
        Assert.Equal(a[ImageFeatures.GradientX], b[ImageFeatures.GradientX], 5);
        Assert.Equal(a[ImageFeatures.CenterOfMassX], b[ImageFeatures.CenterOfMassX], 5);
        Assert.True(b[ImageFeatures.InkFraction] >= a[ImageFeatures.InkFraction]);
    }

    [Fact]
    public void Compute_WrongPixelCount_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Features(new float[10], 28, 28));
        Assert.Contains("784", ex.Message);
    }
}
