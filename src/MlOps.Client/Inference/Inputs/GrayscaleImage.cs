namespace MlOps.Client.Inference.Inputs;

/// <summary>An 8-bit grayscale image, row-major, one byte per pixel (0 = black, 255 = white).</summary>
public sealed class GrayscaleImage
{
    private readonly byte[] _pixels;

    /// <summary>Wraps <paramref name="pixels"/> (not copied), which must hold exactly width × height bytes.</summary>
    /// <exception cref="ArgumentException">A dimension is not positive or the pixel count does not match.</exception>
    public GrayscaleImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height)
        {
            throw new ArgumentException($"{width}x{height} image needs {(long)width * height} pixels, got {pixels.Length}", nameof(pixels));
        }

        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>The pixels, row after row.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y] => _pixels[(y * Width) + x];
}
