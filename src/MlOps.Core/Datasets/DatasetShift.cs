namespace MlOps.Core.Datasets;

/// <summary>
/// A pixel-level change of image data, as a different camera, lighting or scanner would make it: contrast scaled around
/// mid-grey, then brightness added, then optionally inverted; clamped to 0-255. Used to derive dataset versions that
/// hold shifted data (<c>mlops data derive</c>) and to rehearse drift detection and retraining.
/// </summary>
/// <param name="Brightness">Added after the contrast change, as a share of the full range (-1 to 1; 0.2 adds 51).</param>
/// <param name="Contrast">Factor around mid-grey (127.5); 1 leaves the contrast, 0.5 halves it. Greater than 0.</param>
/// <param name="Invert">Replaces each value v by 255 - v last.</param>
public sealed record DatasetShift(double Brightness = 0, double Contrast = 1, bool Invert = false)
{
    public bool IsIdentity => Brightness == 0 && Contrast == 1 && !Invert;

    /// <summary>Null when the parameters are usable, else what is wrong.</summary>
    public string? Problem() =>
        Brightness is < -1 or > 1 || double.IsNaN(Brightness) ? $"brightness must be between -1 and 1, got {Brightness}"
        : Contrast is <= 0 or > 10 || double.IsNaN(Contrast) ? $"contrast must be above 0 and at most 10, got {Contrast}"
        : null;

    /// <summary>The 256-entry table that maps each input value to its shifted value.</summary>
    public byte[] Table()
    {
        var table = new byte[256];
        for (var v = 0; v < 256; v++)
        {
            var shifted = ((v - 127.5) * Contrast) + 127.5 + (Brightness * 255);
            var clamped = (byte)Math.Clamp((int)Math.Round(shifted, MidpointRounding.AwayFromZero), 0, 255);
            table[v] = Invert ? (byte)(255 - clamped) : clamped;
        }

        return table;
    }

    /// <summary>
    /// A copy of <paramref name="split"/> in which a random <paramref name="fraction"/> of the images (chosen with
    /// <paramref name="seed"/>) is shifted. With <paramref name="append"/> the shifted copies are added after the
    /// unchanged split instead of replacing their originals.
    /// </summary>
    public ImageSplit Apply(ImageSplit split, double fraction, bool append, int seed)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (fraction is < 0 or > 1 || double.IsNaN(fraction))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be between 0 and 1");
        }

        var chosen = Choose(split.Count, fraction, seed);
        var table = Table();
        var plane = split.PixelsPerImage;
        var count = append ? split.Count + chosen.Length : split.Count;
        var pixels = new byte[count * plane];
        var labels = new byte[count];
        split.Pixels.CopyTo(pixels, 0);
        split.Labels.CopyTo(labels, 0);
        for (var i = 0; i < chosen.Length; i++)
        {
            var source = chosen[i];
            var target = append ? split.Count + i : source;
            var from = split.Pixels.AsSpan(source * plane, plane);
            var to = pixels.AsSpan(target * plane, plane);
            for (var p = 0; p < plane; p++)
            {
                to[p] = table[from[p]];
            }

            labels[target] = split.Labels[source];
        }

        return new ImageSplit(pixels, labels, count, split.Height, split.Width);
    }

    /// <summary>
    /// A copy of <paramref name="data"/> with <see cref="Apply"/> on each split: <paramref name="trainFraction"/> of the
    /// training images and <paramref name="testFraction"/> of the test images. The test split draws with
    /// <paramref name="seed"/> + 1, so one fraction does not pick the same positions in both splits.
    /// </summary>
    public ImageClassificationData Derive(ImageClassificationData data, double trainFraction, double testFraction, bool append, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data with
        {
            Train = Apply(data.Train, trainFraction, append, seed),
            Test = Apply(data.Test, testFraction, append, seed + 1),
        };
    }

    /// <summary>How many of <paramref name="count"/> images a <paramref name="fraction"/> shifts.</summary>
    public static int ShiftedCount(int count, double fraction) => (int)Math.Round(count * fraction, MidpointRounding.AwayFromZero);

    /// <summary>round(count × fraction) distinct indices, ascending, drawn with a seeded shuffle.</summary>
    private static int[] Choose(int count, double fraction, int seed)
    {
        var take = ShiftedCount(count, fraction);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        var chosen = order[..take];
        Array.Sort(chosen);
        return chosen;
    }
}
