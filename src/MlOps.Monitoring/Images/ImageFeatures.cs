namespace MlOps.Monitoring.Images;

/// <summary>
/// A small fixed vector of summary features of one grey image (row-major H×W floats, in the model's
/// normalised input units). Chosen to move under the shifts a camera or a data pipeline actually produces —
/// brightness, contrast, thickness, framing, blur or noise — while being cheap (one pass, no allocation).
/// </summary>
public static class ImageFeatures
{
    /// <summary>Number of features.</summary>
    public const int Count = 8;

    /// <summary>Mean intensity: brightness; moves with any offset in the pipeline.</summary>
    public const int Mean = 0;

    /// <summary>Population standard deviation of the pixels: contrast.</summary>
    public const int StandardDeviation = 1;

    /// <summary>Share of pixels above the ink threshold: how much of the frame the object covers.</summary>
    public const int InkFraction = 2;

    /// <summary>Mean of the central region (the middle half of rows and columns) minus the mean of the rest: framing and centring.</summary>
    public const int CenterMinusBorder = 3;

    /// <summary>Mean squared difference of horizontally adjacent pixels: edge energy; blur lowers it, noise raises it.</summary>
    public const int GradientX = 4;

    /// <summary>Mean squared difference of vertically adjacent pixels.</summary>
    public const int GradientY = 5;

    /// <summary>
    /// Horizontal centre of mass in [0, 1] (0 = left column), weighting each pixel by its value minus the
    /// image minimum, so the background (the minimum after normalisation) weighs nothing; 0.5 for a flat image.
    /// </summary>
    public const int CenterOfMassX = 6;

    /// <summary>Vertical centre of mass in [0, 1] (0 = top row), weighted as <see cref="CenterOfMassX"/>.</summary>
    public const int CenterOfMassY = 7;

    /// <summary>Stable names, index-aligned with the constants; used in profiles and reports.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "mean", "std", "ink_fraction", "center_minus_border", "gradient_x", "gradient_y", "center_of_mass_x", "center_of_mass_y",
    ];

    /// <summary>Computes the <see cref="Count"/> features of one image into <paramref name="destination"/>. Allocation-free.</summary>
    /// <param name="pixels">Row-major pixels, exactly <paramref name="height"/>·<paramref name="width"/> of them.</param>
    /// <param name="height">Rows (at least 1).</param>
    /// <param name="width">Columns (at least 1).</param>
    /// <param name="inkThreshold">A pixel strictly above this value counts as ink (same units as the pixels).</param>
    /// <param name="destination">At least <see cref="Count"/> entries.</param>
    public static void Compute(ReadOnlySpan<float> pixels, int height, int width, float inkThreshold, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (pixels.Length != height * width)
        {
            throw new ArgumentException($"Expected {height}x{width} = {height * width} pixels, got {pixels.Length}.", nameof(pixels));
        }

        if (destination.Length < Count)
        {
            throw new ArgumentException($"Destination needs {Count} entries.", nameof(destination));
        }

        int r0 = height / 4, r1 = height - (height / 4), c0 = width / 4, c1 = width - (width / 4);
        double sum = 0, sumSq = 0, centerSum = 0, gradX = 0, gradY = 0, sumXc = 0, sumXr = 0;
        var min = double.PositiveInfinity;
        var ink = 0;
        for (var r = 0; r < height; r++)
        {
            var row = pixels.Slice(r * width, width);
            var above = r > 0 ? pixels.Slice((r - 1) * width, width) : default;
            var inCenterRows = r >= r0 && r < r1;
            double rowSum = 0;
            for (var c = 0; c < width; c++)
            {
                double v = row[c];
                rowSum += v;
                sumSq += v * v;
                sumXc += v * c;
                if (v < min)
                {
                    min = v;
                }

                if (v > inkThreshold)
                {
                    ink++;
                }

                if (inCenterRows && c >= c0 && c < c1)
                {
                    centerSum += v;
                }

                if (c > 0)
                {
                    var dx = v - row[c - 1];
                    gradX += dx * dx;
                }

                if (r > 0)
                {
                    var dy = v - above[c];
                    gradY += dy * dy;
                }
            }

            sum += rowSum;
            sumXr += rowSum * r;
        }

        double n = height * width;
        var mean = sum / n;
        destination[Mean] = mean;
        destination[StandardDeviation] = Math.Sqrt(Math.Max((sumSq / n) - (mean * mean), 0));
        destination[InkFraction] = ink / n;

        var centerCount = (double)(r1 - r0) * (c1 - c0);
        var borderCount = n - centerCount;
        destination[CenterMinusBorder] = centerCount > 0 && borderCount > 0
            ? (centerSum / centerCount) - ((sum - centerSum) / borderCount)
            : 0;
        destination[GradientX] = width > 1 ? gradX / (height * (width - 1.0)) : 0;
        destination[GradientY] = height > 1 ? gradY / ((height - 1.0) * width) : 0;

        // Weights w = v − min: Σw·c = Σv·c − min·Σc, with Σc = H·W(W−1)/2 (and likewise for rows).
        var weight = sum - (min * n);
        if (weight > 1e-9 * n)
        {
            var comX = (sumXc - (min * height * width * (width - 1) / 2.0)) / weight;
            var comY = (sumXr - (min * width * height * (height - 1) / 2.0)) / weight;
            destination[CenterOfMassX] = width > 1 ? comX / (width - 1) : 0.5;
            destination[CenterOfMassY] = height > 1 ? comY / (height - 1) : 0.5;
        }
        else
        {
            destination[CenterOfMassX] = 0.5;
            destination[CenterOfMassY] = 0.5;
        }
    }
}
