namespace MlOps.Onnx.Tests.Support;

/// <summary>Deterministic normal-ish test inputs, independent of torch's generator.</summary>
public static class RandomInputs
{
    /// <summary><paramref name="count"/> values from N(<paramref name="mean"/>, <paramref name="std"/>²) (Box-Muller).</summary>
    public static float[] Normal(int seed, long count, double mean = 0, double std = 1)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(mean + (std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
        }

        return values;
    }
}
