using MlOps.Client.Inference.Inputs;
using MlOps.Client.Tests.Support;
using MlOps.Testing;

namespace MlOps.Client.Tests.Inference.Inputs;

public sealed class PngImageTests
{
    public static TheoryData<int, int> ColorTypesAndDepths => new()
    {
        { 0, 1 }, { 0, 2 }, { 0, 4 }, { 0, 8 }, { 0, 16 },
        { 2, 8 }, { 2, 16 },
        { 3, 1 }, { 3, 2 }, { 3, 4 }, { 3, 8 },
        { 4, 8 }, { 4, 16 },
        { 6, 8 }, { 6, 16 },
    };

    [Theory]
    [MemberData(nameof(ColorTypesAndDepths))]
    public void Decode_EveryFilterTypeOnEachColorTypeAndDepth_ReturnsExpectedGray(int colorType, int bitDepth)
    {
        // 13 columns leave a partly filled last byte at bit depths under 8; 10 rows use each filter twice.
        const int width = 13, height = 10;
        var random = new Random((colorType * 100) + bitDepth);
        var palette = colorType == 3 ? RandomBytes(random, 3 * (1 << bitDepth)) : null;
        var channels = PngWriter.ChannelsOf(colorType);
        var maxSample = (1 << bitDepth) - 1;
        var samples = Enumerable.Range(0, height)
            .Select(_ => Enumerable.Range(0, width * channels).Select(_ => random.Next(maxSample + 1)).ToArray())
            .ToArray();
        var png = new PngWriter { Width = width, Height = height, ColorType = colorType, BitDepth = bitDepth, Palette = palette }.Write(samples);

        var image = PngImage.Decode(png);

        Assert.Equal((width, height), (image.Width, image.Height));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var pixel = samples[y].AsSpan(x * channels, channels).ToArray();
                Assert.True(ExpectedGray(colorType, bitDepth, pixel, palette) == image[x, y], $"pixel ({x}, {y}) of {colorType}/{bitDepth}");
            }
        }
    }

    [Fact]
    public void Decode_OneBitGrayRow_ReadsMostSignificantBitFirst()
    {
        // One row of 10 pixels: 0b1011_0000, 0b01xx_xxxx -> 1,0,1,1,0,0,0,0,0,1
        var compressed = PngWriter.Deflate([0, 0b1011_0000, 0b0100_0000]);
        var png = PngWriter.Assemble(new PngWriter { Width = 10, Height = 1, BitDepth = 1 }.ChunksFromScanlines(compressed));

        var image = PngImage.Decode(png);

        Assert.Equal(new byte[] { 255, 0, 255, 255, 0, 0, 0, 0, 0, 255 }, image.Pixels.ToArray());
    }

    [Fact]
    public void Decode_RgbRow_UsesBt601Luma()
    {
        var png = new PngWriter { Width = 4, Height = 1, ColorType = 2 }
            .Write([[255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]]);

        var image = PngImage.Decode(png);

        Assert.Equal(new byte[] { 76, 150, 29, 255 }, image.Pixels.ToArray());
    }

    [Fact]
    public void Decode_RgbaHalfTransparentWhite_IsCompositedOverBlack()
    {
        var png = new PngWriter { Width = 3, Height = 1, ColorType = 6 }.Write([[255, 255, 255, 0, 255, 255, 255, 128, 200, 200, 200, 255]]);

        var image = PngImage.Decode(png);

        Assert.Equal(new byte[] { 0, 128, 200 }, image.Pixels.ToArray());
    }

    [Fact]
    public void Decode_PaletteWithTransparency_MakesTransparentEntriesBlack()
    {
        var png = new PngWriter
        {
            Width = 3,
            Height = 1,
            ColorType = 3,
            Palette = [255, 255, 255, 255, 255, 255, 0, 0, 255],
            Transparency = [0, 51],
        }.Write([[0, 1, 2]]);

        var image = PngImage.Decode(png);

        Assert.Equal(new byte[] { 0, 51, 29 }, image.Pixels.ToArray());
    }

    [Theory]
    [InlineData(0, new byte[] { 0, 100 }, new[] { 100, 101 }, new byte[] { 0, 101 })]
    [InlineData(2, new byte[] { 0, 10, 0, 20, 0, 30 }, new[] { 10, 20, 30, 10, 20, 31 }, new byte[] { 0, 18 })]
    public void Decode_TransparentColorChunk_MakesThatColorBlack(int colorType, byte[] transparency, int[] samples, byte[] expected)
    {
        var png = new PngWriter { Width = 2, Height = 1, ColorType = colorType, Transparency = transparency }.Write([samples]);

        var image = PngImage.Decode(png);

        Assert.Equal(expected, image.Pixels.ToArray());
    }

    [Fact]
    public void Decode_SplitIdatAndAncillaryChunks_Decodes()
    {
        var samples = Gradient(16, 9);
        var writer = new PngWriter { Width = 16, Height = 9, IdatChunks = 4 };
        var chunks = writer.Chunks(samples);
        chunks.Insert(1, ("tEXt", "Comment\0made in a test"u8.ToArray()));
        chunks.Insert(chunks.Count - 1, ("zzZz", [1, 2, 3]));

        var image = PngImage.Decode(PngWriter.Assemble(chunks));

        Assert.Equal(samples.SelectMany(r => r.Select(v => (byte)v)).ToArray(), image.Pixels.ToArray());
    }

    [Fact]
    public void Load_FileOnDisk_Decodes()
    {
        using var directory = new MlOps.Testing.TempDirectory();
        var path = directory.Combine("image.png");
        File.WriteAllBytes(path, new PngWriter { Width = 2, Height = 2 }.Write([[1, 2], [3, 4]]));

        var image = PngImage.Load(path);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, image.Pixels.ToArray());
    }

    [FashionMnistFact]
    public void Decode_RealFashionMnistImages_RoundTripThroughPng()
    {
        var (images, count) = FashionMnist.TestImages(take: 20);
        for (var i = 0; i < count; i++)
        {
            var pixels = images.AsSpan(i * 784, 784).ToArray();
            var rows = Enumerable.Range(0, 28).Select(y => pixels[(y * 28)..((y + 1) * 28)].Select(p => (int)p).ToArray()).ToArray();
            var png = new PngWriter { Width = 28, Height = 28, FilterOf = y => (y + i) % 5 }.Write(rows);

            Assert.Equal(pixels, PngImage.Decode(png).Pixels.ToArray());
        }
    }

    internal static int[][] Gradient(int width, int height) =>
        [.. Enumerable.Range(0, height).Select(y => Enumerable.Range(0, width).Select(x => ((x * 16) + (y * 7)) % 256).ToArray())];

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    // Written from the documented rules (not the decoder's code): luma 0.299/0.587/0.114 rounded half up,
    // alpha over black, 16-bit samples keep the high byte, low depths stretch to 0..255.
    private static byte ExpectedGray(int colorType, int depth, int[] pixel, byte[]? palette)
    {
        int To8(int v) => depth switch { 16 => v / 256, 8 => v, _ => (int)Math.Round(v * 255.0 / ((1 << depth) - 1)) };
        int Luma(int r, int g, int b) => (int)Math.Round(((299 * r) + (587 * g) + (114 * b)) / 1000.0, MidpointRounding.AwayFromZero);
        int Over(int v, int a) => (int)Math.Round(v * a / 255.0, MidpointRounding.AwayFromZero);
        return (byte)(colorType switch
        {
            0 => To8(pixel[0]),
            2 => Luma(To8(pixel[0]), To8(pixel[1]), To8(pixel[2])),
            3 => Luma(palette![3 * pixel[0]], palette[(3 * pixel[0]) + 1], palette[(3 * pixel[0]) + 2]),
            4 => Over(To8(pixel[0]), To8(pixel[1])),
            _ => Over(Luma(To8(pixel[0]), To8(pixel[1]), To8(pixel[2])), To8(pixel[3])),
        });
    }
}
