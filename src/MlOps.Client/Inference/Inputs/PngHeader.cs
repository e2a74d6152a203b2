using System.Buffers.Binary;

namespace MlOps.Client.Inference.Inputs;

/// <summary>The IHDR fields the decoder needs, validated, and the row geometry that follows from them.</summary>
internal sealed record PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType)
{
    /// <summary>Samples per pixel.</summary>
    public int Channels => ColorType switch
    {
        PngColorType.Gray or PngColorType.Palette => 1,
        PngColorType.GrayAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    /// <summary>Bytes per scanline, without the filter-type byte.</summary>
    public int RowBytes => (int)((((long)Width * Channels * BitDepth) + 7) / 8);

    /// <summary>The byte distance the filters look back: one whole pixel, at least one byte.</summary>
    public int FilterStride => Math.Max(1, Channels * BitDepth / 8);

    /// <summary>Parses and checks the 13 bytes of IHDR data.</summary>
    /// <exception cref="InvalidDataException">Any field is out of range or unsupported.</exception>
    public static PngHeader Parse(ReadOnlySpan<byte> data, int maxDimension)
    {
        if (data.Length != 13)
        {
            throw PngImage.Invalid($"IHDR chunk has {data.Length} bytes, expected 13");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int bitDepth = data[8], colorType = data[9], compression = data[10], filter = data[11], interlace = data[12];
        if (width == 0 || height == 0)
        {
            throw PngImage.Invalid($"image has a zero dimension ({width}x{height})");
        }

        if (width > maxDimension || height > maxDimension)
        {
            throw PngImage.Invalid($"image too large: {width}x{height} (the limit is {maxDimension}x{maxDimension})");
        }

        if (!Enum.IsDefined((PngColorType)colorType))
        {
            throw PngImage.Invalid($"unsupported colour type {colorType} (PNG defines 0, 2, 3, 4 and 6)");
        }

        var type = (PngColorType)colorType;
        if (!AllowedBitDepths(type).Contains(bitDepth))
        {
            throw PngImage.Invalid($"unsupported bit depth {bitDepth} for colour type {colorType} ({Describe(type)}; allowed: {string.Join(", ", AllowedBitDepths(type))})");
        }

        if (compression != 0)
        {
            throw PngImage.Invalid($"unknown compression method {compression}");
        }

        if (filter != 0)
        {
            throw PngImage.Invalid($"unknown filter method {filter}");
        }

        if (interlace == 1)
        {
            throw PngImage.Invalid("interlaced PNG is not supported; re-save without interlacing");
        }

        if (interlace != 0)
        {
            throw PngImage.Invalid($"unknown interlace method {interlace}");
        }

        return new PngHeader((int)width, (int)height, bitDepth, type);
    }

    private static int[] AllowedBitDepths(PngColorType type) => type switch
    {
        PngColorType.Gray => [1, 2, 4, 8, 16],
        PngColorType.Palette => [1, 2, 4, 8],
        _ => [8, 16],
    };

    private static string Describe(PngColorType type) => type switch
    {
        PngColorType.Gray => "gray",
        PngColorType.Rgb => "RGB",
        PngColorType.Palette => "palette",
        PngColorType.GrayAlpha => "gray with alpha",
        _ => "RGBA",
    };
}
