using System.Buffers.Binary;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// The tRNS chunk of a gray or RGB image: the one sample value (at the image's bit depth) that is fully
/// transparent. For gray images only <see cref="Gray"/> is used.
/// </summary>
internal sealed record PngTransparentColor(int Gray, int Red, int Green, int Blue)
{
    /// <summary>The transparent colour, or null when there is none or the colour type keeps it elsewhere.</summary>
    public static PngTransparentColor? Parse(PngHeader header, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        switch (header.ColorType)
        {
            case PngColorType.Gray:
                ExpectLength(data, 2, "gray");
                var gray = BinaryPrimitives.ReadUInt16BigEndian(data);
                return new PngTransparentColor(gray, 0, 0, 0);
            case PngColorType.Rgb:
                ExpectLength(data, 6, "RGB");
                return new PngTransparentColor(
                    0,
                    BinaryPrimitives.ReadUInt16BigEndian(data),
                    BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
                    BinaryPrimitives.ReadUInt16BigEndian(data[4..]));
            default:
                // Palette transparency lives in PngPalette; images with an alpha channel may not carry tRNS.
                return null;
        }
    }

    private static void ExpectLength(ReadOnlySpan<byte> data, int expected, string kind)
    {
        if (data.Length != expected)
        {
            throw PngImage.Invalid($"tRNS chunk has {data.Length} bytes, expected {expected} for a {kind} image");
        }
    }
}
