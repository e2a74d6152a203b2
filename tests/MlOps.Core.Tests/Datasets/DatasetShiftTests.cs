using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.Core.Tests.Datasets;

public sealed class DatasetShiftTests
{
    [Theory]
    [InlineData(0.0, 1.0, false, 0, 0)]
    [InlineData(0.0, 1.0, false, 200, 200)]
    [InlineData(0.2, 1.0, false, 100, 151)]
    [InlineData(0.2, 1.0, false, 250, 255)] // clamped
    [InlineData(0.0, 0.5, false, 0, 64)] // (0 - 127.5) * 0.5 + 127.5 = 63.75
    [InlineData(0.0, 0.5, false, 255, 191)]
    [InlineData(0.0, 1.0, true, 10, 245)]
    [InlineData(-0.5, 1.0, false, 100, 0)]
    public void Table_ContrastThenBrightnessThenInversion(double brightness, double contrast, bool invert, int input, int expected)
    {
        Assert.Equal(expected, new DatasetShift(brightness, contrast, invert).Table()[input]);
    }

    [Fact]
    public void Apply_HalfOfTheSplit_ExactlyThatManyImagesChangedAndLabelsKept()
    {
        var split = Split(count: 100);
        var shift = new DatasetShift(Invert: true);

        var shifted = shift.Apply(split, fraction: 0.5, append: false, seed: 3);

        Assert.Equal(100, shifted.Count);
        Assert.Equal(split.Labels, shifted.Labels);
        var changed = Enumerable.Range(0, 100).Count(i => !Image(shifted, i).SequenceEqual(Image(split, i)));
        Assert.Equal(50, changed);
        Assert.Equal(split.Pixels.Length, shifted.Pixels.Length);
    }

    [Fact]
    public void Apply_Append_OriginalsKeptAndShiftedCopiesAddedWithTheirLabels()
    {
        var split = Split(count: 40);

        var shifted = new DatasetShift(Brightness: 0.1).Apply(split, fraction: 0.25, append: true, seed: 1);

        Assert.Equal(50, shifted.Count);
        Assert.Equal(split.Pixels, shifted.Pixels.AsSpan(0, split.Pixels.Length).ToArray());
        var table = new DatasetShift(Brightness: 0.1).Table();
        for (var i = 40; i < 50; i++)
        {
            var original = Enumerable.Range(0, 40).Single(o => Image(split, o).Select(p => table[p]).SequenceEqual(Image(shifted, i)));
            Assert.Equal(split.Labels[original], shifted.Labels[i]);
        }
    }

    [Fact]
    public void Apply_SameSeed_SameImagesChosen()
    {
        var split = Split(count: 60);
        var shift = new DatasetShift(Contrast: 0.5);

        Assert.Equal(shift.Apply(split, 0.3, false, 9).Pixels, shift.Apply(split, 0.3, false, 9).Pixels);
        Assert.NotEqual(shift.Apply(split, 0.3, false, 9).Pixels, shift.Apply(split, 0.3, false, 10).Pixels);
    }

    [Theory]
    [InlineData(1.5, 1.0, "brightness")]
    [InlineData(0.0, 0.0, "contrast")]
    public void Problem_OutOfRange_Named(double brightness, double contrast, string field)
    {
        Assert.StartsWith(field, new DatasetShift(brightness, contrast).Problem());
    }

    [Fact]
    public void Save_ThenLoad_RoundTrips()
    {
        using var directory = new TempDirectory("mlops-shift");
        TinyMnistDataset.Write(directory.Path, trainCount: 30, testCount: 10);
        var data = MnistFormat.Load(directory.Path);

        var target = directory.Combine("copy");
        MnistFormat.Save(target, data);
        var copy = MnistFormat.Load(target);

        Assert.Equal(data.Train.Pixels, copy.Train.Pixels);
        Assert.Equal(data.Test.Labels, copy.Test.Labels);
        Assert.Equal((30, 10), (copy.Train.Count, copy.Test.Count));
    }

    private static ImageSplit Split(int count)
    {
        var random = new Random(5);
        var pixels = new byte[count * 16];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        return new ImageSplit(pixels, labels, count, 4, 4);
    }

    private static byte[] Image(ImageSplit split, int index) => split.Pixels.AsSpan(index * 16, 16).ToArray();
}
