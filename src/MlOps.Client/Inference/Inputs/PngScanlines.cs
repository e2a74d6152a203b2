using System.IO.Compression;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Turns the inflated IDAT stream into gray pixels one scanline at a time, so memory stays at two rows plus the
/// output however large the samples are.
/// </summary>
internal static class PngScanlines
{
    /// <summary>Inflates, unfilters and converts every row of a non-interlaced image.</summary>
    public static byte[] Decode(PngHeader header, Stream compressed, PngPalette? palette, PngTransparentColor? transparent)
    {
        var rowBytes = header.RowBytes;
        var previous = new byte[rowBytes];
        var current = new byte[rowBytes];
        var pixels = new byte[header.Width * header.Height];
        Span<byte> filterType = stackalloc byte[1];
        using var inflater = new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        for (var y = 0; y < header.Height; y++)
        {
            if (Inflate(inflater, filterType) < 1 || Inflate(inflater, current) < rowBytes)
            {
                throw PngImage.Invalid(
                    $"wrong decompressed length: the data ends in row {y}, {header.Height} rows of {1 + rowBytes} bytes were expected");
            }

            Unfilter(filterType[0], current, previous, header.FilterStride, y);
            ToGray(header, current, pixels.AsSpan(y * header.Width, header.Width), palette, transparent, y);
            (previous, current) = (current, previous);
        }

        // Reading on to the end also makes the inflater check the zlib Adler-32 trailer.
        if (Inflate(inflater, filterType) > 0)
        {
            throw PngImage.Invalid(
                $"wrong decompressed length: the data is longer than {header.Height} rows of {1 + rowBytes} bytes");
        }

        return pixels;
    }

    /// <summary>Gray value of an RGB colour: ITU-R BT.601 luma, rounded.</summary>
    public static byte Luma(int red, int green, int blue) => (byte)(((299 * red) + (587 * green) + (114 * blue) + 500) / 1000);

    /// <summary>A gray value with coverage <paramref name="alpha"/> (0 to 255) composited over black.</summary>
    public static byte OverBlack(int gray, int alpha) => (byte)(((gray * alpha) + 127) / 255);

    private static int Inflate(Stream inflater, Span<byte> buffer)
    {
        try
        {
            return inflater.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw PngImage.Invalid($"IDAT data is not a valid zlib stream ({e.Message})");
        }
    }

    private static void Unfilter(byte type, Span<byte> row, ReadOnlySpan<byte> above, int stride, int y)
    {
        switch (type)
        {
            case 0:
                break;
            case 1:
                for (var i = stride; i < row.Length; i++)
                {
                    row[i] += row[i - stride];
                }

                break;
            case 2:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] += above[i];
                }

                break;
            case 3:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= stride ? row[i - stride] : 0;
                    row[i] += (byte)((left + above[i]) / 2);
                }

                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= stride ? row[i - stride] : 0;
                    var upperLeft = i >= stride ? above[i - stride] : 0;
                    row[i] += Paeth(left, above[i], upperLeft);
                }

                break;
            default:
                throw PngImage.Invalid($"row {y} has unknown filter type {type}");
        }
    }

    // The predictor of PNG filter type 4: whichever neighbour is closest to left + above - upper-left.
    private static byte Paeth(int left, int above, int upperLeft)
    {
        var estimate = left + above - upperLeft;
        var toLeft = Math.Abs(estimate - left);
        var toAbove = Math.Abs(estimate - above);
        var toUpperLeft = Math.Abs(estimate - upperLeft);
        if (toLeft <= toAbove && toLeft <= toUpperLeft)
        {
            return (byte)left;
        }

        return (byte)(toAbove <= toUpperLeft ? above : upperLeft);
    }

    private static void ToGray(
        PngHeader header, ReadOnlySpan<byte> row, Span<byte> gray, PngPalette? palette, PngTransparentColor? transparent, int y)
    {
        var depth = header.BitDepth;
        for (var x = 0; x < gray.Length; x++)
        {
            switch (header.ColorType)
            {
                case PngColorType.Gray:
                    var value = Sample(row, x, depth);
                    gray[x] = value == transparent?.Gray ? (byte)0 : To8Bit(value, depth);
                    break;
                case PngColorType.Rgb:
                    int red = Sample(row, 3 * x, depth), green = Sample(row, (3 * x) + 1, depth), blue = Sample(row, (3 * x) + 2, depth);
                    gray[x] = transparent is not null && red == transparent.Red && green == transparent.Green && blue == transparent.Blue
                        ? (byte)0
                        : Luma(To8Bit(red, depth), To8Bit(green, depth), To8Bit(blue, depth));
                    break;
                case PngColorType.Palette:
                    var index = Sample(row, x, depth);
                    if (index >= palette!.Count)
                    {
                        throw PngImage.Invalid($"pixel ({x}, {y}) uses palette entry {index}, the palette has {palette.Count}");
                    }

                    gray[x] = palette[index];
                    break;
                case PngColorType.GrayAlpha:
                    gray[x] = OverBlack(To8Bit(Sample(row, 2 * x, depth), depth), To8Bit(Sample(row, (2 * x) + 1, depth), depth));
                    break;
                default:
                    var luma = Luma(
                        To8Bit(Sample(row, 4 * x, depth), depth),
                        To8Bit(Sample(row, (4 * x) + 1, depth), depth),
                        To8Bit(Sample(row, (4 * x) + 2, depth), depth));
                    gray[x] = OverBlack(luma, To8Bit(Sample(row, (4 * x) + 3, depth), depth));
                    break;
            }
        }
    }

    // Sample number 'index' of a row at the given bit depth; samples under 8 bits are packed from the high bit down.
    private static int Sample(ReadOnlySpan<byte> row, int index, int depth) => depth switch
    {
        8 => row[index],
        16 => (row[2 * index] << 8) | row[(2 * index) + 1],
        _ => (row[index * depth / 8] >> (8 - depth - (index * depth % 8))) & ((1 << depth) - 1),
    };

    // 16-bit samples keep their high byte; 1, 2 and 4-bit ones are stretched so that the maximum maps to 255.
    private static byte To8Bit(int sample, int depth) => depth switch
    {
        16 => (byte)(sample >> 8),
        8 => (byte)sample,
        _ => (byte)(sample * 255 / ((1 << depth) - 1)),
    };
}
