namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Resizes a gray image, each axis on its own: area averaging along an axis that shrinks (every source pixel
/// counts with the fraction of it an output pixel covers), bilinear along an axis that grows (pixel centres
/// aligned, edges clamped). Both filters are separable, so two one-dimensional passes give the 2-D result.
/// </summary>
internal static class ImageResampler
{
    /// <summary>The image at <paramref name="width"/> × <paramref name="height"/>, values 0 to 255, row-major.</summary>
    public static float[] Resize(GrayscaleImage image, int width, int height)
    {
        var source = image.Pixels;
        if (width == image.Width && height == image.Height)
        {
            var copy = new float[source.Length];
            for (var i = 0; i < source.Length; i++)
            {
                copy[i] = source[i];
            }

            return copy;
        }

        var across = Weights(image.Width, width);
        var down = Weights(image.Height, height);

        // Horizontal pass: image.Height rows of the new width.
        var rows = new double[image.Height * width];
        for (var y = 0; y < image.Height; y++)
        {
            var line = source.Slice(y * image.Width, image.Width);
            for (var x = 0; x < width; x++)
            {
                var sum = 0.0;
                foreach (var (from, weight) in across[x])
                {
                    sum += weight * line[from];
                }

                rows[(y * width) + x] = sum;
            }
        }

        // Vertical pass.
        var result = new float[height * width];
        for (var y = 0; y < height; y++)
        {
            foreach (var (from, weight) in down[y])
            {
                for (var x = 0; x < width; x++)
                {
                    result[(y * width) + x] += (float)(weight * rows[(from * width) + x]);
                }
            }
        }

        return result;
    }

    /// <summary>For each output index along an axis, the source indices it reads and their weights (summing to 1).</summary>
    internal static (int From, double Weight)[][] Weights(int source, int target)
    {
        var weights = new (int, double)[target][];
        var scale = (double)source / target;
        for (var i = 0; i < target; i++)
        {
            weights[i] = source == target ? [(i, 1.0)]
                : source > target ? Area(i * scale, (i + 1) * scale, scale, source)
                : Bilinear(((i + 0.5) * scale) - 0.5, source);
        }

        return weights;
    }

    private static (int, double)[] Area(double start, double end, double span, int source)
    {
        var first = (int)Math.Floor(start);
        var last = Math.Min(source - 1, (int)Math.Ceiling(end) - 1);
        var taps = new List<(int, double)>(last - first + 1);
        for (var j = first; j <= last; j++)
        {
            var covered = Math.Min(end, j + 1) - Math.Max(start, j);
            if (covered > 1e-12)
            {
                taps.Add((j, covered / span));
            }
        }

        return [.. taps];
    }

    private static (int, double)[] Bilinear(double position, int source)
    {
        position = Math.Clamp(position, 0, source - 1);
        var left = (int)Math.Floor(position);
        var right = Math.Min(left + 1, source - 1);
        var fraction = position - left;
        return right == left || fraction == 0 ? [(left, 1.0)] : [(left, 1 - fraction), (right, fraction)];
    }
}
