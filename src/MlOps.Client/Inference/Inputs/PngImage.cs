using System.Buffers.Binary;
using System.Text;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Decodes PNG files into <see cref="GrayscaleImage"/>s for model input. Reads the chunk stream (checking every
/// CRC), inflates the concatenated IDAT data and undoes the five scanline filters. Supported: colour types gray
/// (bit depths 1, 2, 4, 8, 16), RGB, gray+alpha and RGBA (8, 16) and palette (1, 2, 4, 8); 16-bit samples keep
/// their high byte. Not supported: interlaced (Adam7) images.
/// </summary>
/// <remarks>
/// Colour becomes luma, <c>0.299 R + 0.587 G + 0.114 B</c>. Transparency (an alpha channel, or a tRNS chunk)
/// is composited over <b>black</b>: the Fashion-MNIST style models this serves expect a light object on a black
/// background, so a transparent background must read as black. Gamma, colour profiles and other ancillary
/// chunks are ignored.
/// </remarks>
public static class PngImage
{
    /// <summary>The largest width and height accepted (a guard against decompression bombs).</summary>
    public const int MaxDimension = 8192;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a PNG this decoder supports; the message says why.</exception>
    public static GrayscaleImage Load(string path) => Decode(File.ReadAllBytes(path));

    /// <summary>Decodes a whole PNG file held in memory.</summary>
    /// <exception cref="InvalidDataException">The data is not a PNG this decoder supports; the message says why.</exception>
    public static GrayscaleImage Decode(ReadOnlySpan<byte> png)
    {
        if (!HasSignature(png))
        {
            throw Invalid("bad signature (not a PNG file)");
        }

        PngHeader? header = null;
        PngPalette? palette = null;
        ReadOnlySpan<byte> transparency = default;
        using var compressed = new MemoryStream();
        var idatState = IdatState.NotSeen;
        var position = Signature.Length;
        var ended = false;
        while (!ended && position < png.Length)
        {
            var chunk = ReadChunk(png, position);
            position = chunk.Next;
            if (header is null && chunk.Type != "IHDR")
            {
                throw Invalid($"missing IHDR: the first chunk is {chunk.Type}");
            }

            if (idatState == IdatState.Reading && chunk.Type != "IDAT")
            {
                idatState = IdatState.Done;
            }

            var data = png.Slice(chunk.DataStart, chunk.Length);
            switch (chunk.Type)
            {
                case "IHDR":
                    if (header is not null)
                    {
                        throw Invalid("more than one IHDR chunk");
                    }

                    header = PngHeader.Parse(data, MaxDimension);
                    break;
                case "PLTE":
                    if (idatState != IdatState.NotSeen)
                    {
                        throw Invalid("PLTE chunk after IDAT");
                    }

                    palette = PngPalette.Parse(data);
                    break;
                case "tRNS":
                    transparency = data;
                    break;
                case "IDAT":
                    if (idatState == IdatState.Done)
                    {
                        throw Invalid("IDAT chunks are not consecutive");
                    }

                    idatState = IdatState.Reading;
                    compressed.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case) marks a chunk a decoder must understand.
                    if (char.IsAsciiLetterUpper(chunk.Type[0]))
                    {
                        throw Invalid($"unsupported critical chunk {chunk.Type}");
                    }

                    break;
            }
        }

        if (header is null)
        {
            throw Invalid("missing IHDR chunk");
        }

        if (idatState == IdatState.NotSeen)
        {
            throw Invalid("missing IDAT chunk");
        }

        if (!ended)
        {
            throw Invalid("truncated: the file ends without an IEND chunk");
        }

        if (header.ColorType == PngColorType.Palette)
        {
            palette = palette?.WithTransparency(transparency) ?? throw Invalid("missing PLTE chunk in a palette image");
        }

        compressed.Position = 0;
        var pixels = PngScanlines.Decode(header, compressed, palette, PngTransparentColor.Parse(header, transparency));
        return new GrayscaleImage(header.Width, header.Height, pixels);
    }

    private static Chunk ReadChunk(ReadOnlySpan<byte> png, int position)
    {
        var left = png.Length - position;
        if (left < 12)
        {
            throw Invalid($"truncated chunk at byte {position}: {left} bytes left, a chunk takes at least 12");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(png[position..]);
        var typeBytes = png.Slice(position + 4, 4);
        foreach (var b in typeBytes)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                throw Invalid($"chunk at byte {position} has an invalid type (0x{Convert.ToHexString(typeBytes)})");
            }
        }

        var type = Encoding.ASCII.GetString(typeBytes);
        if (length > (uint)(left - 12))
        {
            throw Invalid($"truncated chunk {type} at byte {position}: it declares {length} data bytes, {left - 12} are left");
        }

        var data = png.Slice(position + 8, (int)length);
        var stored = BinaryPrimitives.ReadUInt32BigEndian(png[(position + 8 + (int)length)..]);
        var computed = Crc32.Compute(typeBytes, data);
        if (stored != computed)
        {
            throw Invalid($"CRC mismatch in chunk {type} at byte {position} (stored 0x{stored:X8}, computed 0x{computed:X8})");
        }

        return new Chunk(type, position + 8, (int)length, position + 12 + (int)length);
    }

    internal static InvalidDataException Invalid(string problem) => new($"PNG: {problem}");

    private readonly record struct Chunk(string Type, int DataStart, int Length, int Next);

    private enum IdatState
    {
        NotSeen,
        Reading,
        Done,
    }
}
