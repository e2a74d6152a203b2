namespace MlOps.Monitoring.Tests;

/// <summary>
/// A seeded stand-in for Fashion-MNIST: a bright noisy ellipse ("garment") of random size, position and
/// intensity on a dark, slightly noisy background, normalised like the real pipeline ((raw − 0.286)/0.353),
/// plus an optional brightness offset in normalised units.
/// </summary>
internal sealed class SyntheticImages(int seed, float brightness = 0f)
{
    public const int Side = 28;
    private const float DatasetMean = 0.286f;
    private const float DatasetStd = 0.353f;
    private readonly Random _random = new(seed);

    public float[] Next()
    {
        var image = new float[Side * Side];
        Fill(image);
        return image;
    }

    public void Fill(Span<float> image)
    {
        var cx = 13.5 + ((_random.NextDouble() * 4) - 2);
        var cy = 13.5 + ((_random.NextDouble() * 4) - 2);
        var ax = 5 + (_random.NextDouble() * 6);
        var ay = 5 + (_random.NextDouble() * 6);
        var intensity = 0.3 + (_random.NextDouble() * 0.6);
        for (var r = 0; r < Side; r++)
        {
            for (var c = 0; c < Side; c++)
            {
                var dx = (c - cx) / ax;
                var dy = (r - cy) / ay;
                var raw = (dx * dx) + (dy * dy) <= 1
                    ? intensity + ((_random.NextDouble() - 0.5) * 0.1)
                    : _random.NextDouble() * 0.03;
                image[(r * Side) + c] = (float)((raw - DatasetMean) / DatasetStd) + brightness;
            }
        }
    }

    public IEnumerable<ReadOnlyMemory<float>> Take(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }
}

/// <summary>Seeded normal and categorical draws for the tests.</summary>
internal static class Draw
{
    /// <summary>Box–Muller.</summary>
    public static double Normal(Random random, double mean = 0, double sd = 1)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + (sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public static double[] Normals(int seed, int count, double mean = 0, double sd = 1)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = Normal(random, mean, sd);
        }

        return values;
    }

    /// <summary>A class index: <paramref name="favoured"/> with probability <paramref name="share"/>, else uniform over the others.</summary>
    public static int Class(Random random, int classes = 10, int favoured = -1, double share = 0)
    {
        if (favoured >= 0)
        {
            if (random.NextDouble() < share)
            {
                return favoured;
            }

            var other = random.Next(classes - 1);
            return other >= favoured ? other + 1 : other;
        }

        return random.Next(classes);
    }

    /// <summary>A one-hot output vector for <paramref name="predicted"/>.</summary>
    public static float[] Output(int predicted, int classes = 10)
    {
        var output = new float[classes];
        output[predicted] = 1;
        return output;
    }

    /// <summary>Φ⁻¹ by bisection on the library's Φ (good to 1e-12; only the tests need it).</summary>
    public static double NormalQuantile(double p)
    {
        double lo = -10, hi = 10;
        for (var i = 0; i < 100; i++)
        {
            var mid = (lo + hi) / 2;
            if (MlOps.Monitoring.Statistics.SpecialFunctions.NormalCdf(mid) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }
}
