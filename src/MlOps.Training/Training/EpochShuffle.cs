namespace MlOps.Training;

/// <summary>
/// The order samples are visited in one epoch: a Fisher-Yates permutation driven by SplitMix64 seeded from
/// (seed, epoch). Reproducible for a seed on any machine and different between epochs (TorchSharp's DataLoader,
/// given a fixed seed, repeats one order every epoch).
/// </summary>
internal static class EpochShuffle
{
    public static long[] Permutation(long seed, int epoch, int count)
    {
        var order = new long[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var state = unchecked((ulong)seed ^ ((ulong)(uint)epoch * 0xD1B54A32D192ED03UL));
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
