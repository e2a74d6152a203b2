using System.Buffers.Binary;
using MlOps.Client.Inference.Inputs;
using MlOps.Testing;

namespace MlOps.Client.Tests.Inference.Inputs;

public sealed class PngImageErrorTests
{
    private static readonly int[][] Samples = PngImageTests.Gradient(8, 6);

    private static PngWriter Writer => new() { Width = 8, Height = 6 };

    [Fact]
    public void Decode_NotPng_ThrowsBadSignature()
    {
        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode("GIF89a..."u8));

        Assert.Equal("PNG: bad signature (not a PNG file)", error.Message);
    }

    [Fact]
    public void Decode_CorruptedIdatByte_ThrowsCrcMismatchNamingChunk()
    {
        var png = Writer.Write(Samples);
        var idat = IndexOfChunk(png, "IDAT");
        png[idat + 8 + 3] ^= 0x40;

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.StartsWith($"PNG: CRC mismatch in chunk IDAT at byte {idat}", error.Message);
    }

    [Fact]
    public void Decode_CorruptedHeaderCrc_ThrowsCrcMismatchInIhdr()
    {
        var png = Writer.Write(Samples);
        png[8 + 8 + 13] ^= 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Contains("CRC mismatch in chunk IHDR", error.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(45)]
    public void Decode_FileCutInsideAChunk_ThrowsTruncated(int keep)
    {
        var png = Writer.Write(Samples)[..keep];

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Contains("truncated chunk", error.Message);
    }

    [Fact]
    public void Decode_FileCutBeforeIend_ThrowsMissingIend()
    {
        var png = Writer.Write(Samples)[..^12];

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Equal("PNG: truncated: the file ends without an IEND chunk", error.Message);
    }

    [Fact]
    public void Decode_InterlacedImage_ThrowsNotSupported()
    {
        var png = new PngWriter { Width = 8, Height = 6, Interlace = 1 }.Write(Samples);

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Equal("PNG: interlaced PNG is not supported; re-save without interlacing", error.Message);
    }

    [Theory]
    [InlineData(5, 8, "unsupported colour type 5")]
    [InlineData(2, 4, "unsupported bit depth 4 for colour type 2 (RGB; allowed: 8, 16)")]
    [InlineData(3, 16, "unsupported bit depth 16 for colour type 3 (palette; allowed: 1, 2, 4, 8)")]
    [InlineData(0, 3, "unsupported bit depth 3 for colour type 0")]
    public void Decode_UnsupportedColorTypeOrDepth_ThrowsNamingIt(int colorType, int bitDepth, string expected)
    {
        var chunks = Writer.Chunks(Samples);
        chunks[0] = ("IHDR", Header(8, 6, bitDepth, colorType));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(10_000, 10)]
    [InlineData(10, 8193)]
    public void Decode_ImageOverTheLimit_ThrowsTooLarge(int width, int height)
    {
        var chunks = Writer.Chunks(Samples);
        chunks[0] = ("IHDR", Header(width, height, 8, 0));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Equal($"PNG: image too large: {width}x{height} (the limit is 8192x8192)", error.Message);
    }

    [Fact]
    public void Decode_FirstChunkNotIhdr_ThrowsMissingIhdr()
    {
        var chunks = Writer.Chunks(Samples);
        chunks.RemoveAt(0);

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Equal("PNG: missing IHDR: the first chunk is IDAT", error.Message);
    }

    [Fact]
    public void Decode_NoChunksAtAll_ThrowsMissingIhdr()
    {
        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble([])));

        Assert.Equal("PNG: missing IHDR chunk", error.Message);
    }

    [Fact]
    public void Decode_NoIdat_ThrowsMissingIdat()
    {
        var chunks = Writer.Chunks(Samples);
        chunks.RemoveAll(c => c.Type == "IDAT");

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Equal("PNG: missing IDAT chunk", error.Message);
    }

    [Fact]
    public void Decode_PaletteImageWithoutPlte_ThrowsMissingPalette()
    {
        var png = new PngWriter { Width = 2, Height = 1, ColorType = 3 }.Write([[0, 1]]);

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Equal("PNG: missing PLTE chunk in a palette image", error.Message);
    }

    [Fact]
    public void Decode_PaletteIndexPastTheEnd_ThrowsOutOfRange()
    {
        var png = new PngWriter { Width = 2, Height = 1, ColorType = 3, Palette = [1, 2, 3, 4, 5, 6] }.Write([[1, 2]]);

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Equal("PNG: pixel (1, 0) uses palette entry 2, the palette has 2", error.Message);
    }

    [Theory]
    [InlineData(-1, "wrong decompressed length: the data ends in row 5")]
    [InlineData(+1, "wrong decompressed length: the data is longer than 6 rows of 9 bytes")]
    public void Decode_ScanlinesOfWrongLength_ThrowsWrongLength(int change, string expected)
    {
        var scanlines = Writer.FilteredScanlines(Samples);
        var resized = change < 0 ? scanlines[..^1] : [.. scanlines, 0];
        var png = PngWriter.Assemble(Writer.ChunksFromScanlines(PngWriter.Deflate(resized)));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Decode_UnknownFilterType_ThrowsNamingTheRow()
    {
        var png = new PngWriter { Width = 8, Height = 6, FilterOf = y => y == 2 ? 5 : 0 }.Write(Samples);

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.Equal("PNG: row 2 has unknown filter type 5", error.Message);
    }

    [Fact]
    public void Decode_IdatNotZlib_ThrowsInvalidStream()
    {
        var png = PngWriter.Assemble(Writer.ChunksFromScanlines([1, 2, 3, 4, 5, 6, 7, 8]));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.StartsWith("PNG: IDAT data is not a valid zlib stream", error.Message);
    }

    [Fact]
    public void Decode_DamagedAdlerChecksum_ThrowsInvalidStream()
    {
        var compressed = PngWriter.Deflate(Writer.FilteredScanlines(Samples));
        compressed[^1] ^= 0x01;
        var png = PngWriter.Assemble(Writer.ChunksFromScanlines(compressed));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(png));

        Assert.StartsWith("PNG: IDAT data is not a valid zlib stream", error.Message);
    }

    [Fact]
    public void Decode_UnknownCriticalChunk_ThrowsNamingIt()
    {
        var chunks = Writer.Chunks(Samples);
        chunks.Insert(1, ("ABCD", [0]));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Equal("PNG: unsupported critical chunk ABCD", error.Message);
    }

    [Fact]
    public void Decode_IdatChunksWithAnotherChunkBetween_Throws()
    {
        var chunks = new PngWriter { Width = 8, Height = 6, IdatChunks = 2 }.Chunks(Samples);
        chunks.Insert(2, ("tEXt", "a\0b"u8.ToArray()));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Equal("PNG: IDAT chunks are not consecutive", error.Message);
    }

    [Fact]
    public void Decode_ZeroWidth_Throws()
    {
        var chunks = Writer.Chunks(Samples);
        chunks[0] = ("IHDR", Header(0, 6, 8, 0));

        var error = Assert.Throws<InvalidDataException>(() => PngImage.Decode(PngWriter.Assemble(chunks)));

        Assert.Equal("PNG: image has a zero dimension (0x6)", error.Message);
    }

    private static byte[] Header(int width, int height, int bitDepth, int colorType)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        return header;
    }

    private static int IndexOfChunk(byte[] png, string type) => png.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(type)) - 4;
}
