namespace MlOps.Client.Inference.Inputs;

/// <summary>A PLTE chunk reduced to what the decoder needs: the gray value of every entry.</summary>
internal sealed class PngPalette
{
    private readonly byte[] _gray;

    private PngPalette(byte[] gray) => _gray = gray;

    /// <summary>Entries in the palette.</summary>
    public int Count => _gray.Length;

    /// <summary>The gray value of entry <paramref name="index"/>, already composited over black.</summary>
    public byte this[int index] => _gray[index];

    /// <summary>Parses PLTE data: 1 to 256 RGB triples.</summary>
    public static PngPalette Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data.Length % 3 != 0 || data.Length > 256 * 3)
        {
            throw PngImage.Invalid($"PLTE chunk has {data.Length} bytes, expected 3 per entry and 1 to 256 entries");
        }

        var gray = new byte[data.Length / 3];
        for (var i = 0; i < gray.Length; i++)
        {
            gray[i] = PngScanlines.Luma(data[3 * i], data[(3 * i) + 1], data[(3 * i) + 2]);
        }

        return new PngPalette(gray);
    }

    /// <summary>Applies a tRNS chunk: one alpha byte per leading entry, the others stay opaque.</summary>
    public PngPalette WithTransparency(ReadOnlySpan<byte> alpha)
    {
        if (alpha.Length > Count)
        {
            throw PngImage.Invalid($"tRNS chunk has {alpha.Length} entries, the palette only {Count}");
        }

        var gray = (byte[])_gray.Clone();
        for (var i = 0; i < alpha.Length; i++)
        {
            gray[i] = PngScanlines.OverBlack(gray[i], alpha[i]);
        }

        return new PngPalette(gray);
    }
}
