namespace MlOps.Serving.Hosting.Repository;

/// <summary>
/// Picks versions in proportion to integer weights without randomness: request <c>n</c> takes slot
/// <c>(n × stride) mod total</c>, and a stride coprime with the total visits every slot once per <c>total</c>
/// requests, so the shares are exact over each such run and evenly interleaved (a 10 % canary gets every tenth
/// request or so, not ten in a row). Lock-free: one interlocked increment per pick.
/// </summary>
internal sealed class TrafficSplit
{
    private static readonly int[] Strides = [37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101];

    private readonly string[] _slotOwners;
    private readonly int _stride;
    private long _requests = -1;

    public TrafficSplit(IReadOnlyList<KeyValuePair<string, int>> weights)
    {
        Weights = weights;
        var total = weights.Sum(w => w.Value);
        if (weights.Count == 0 || total <= 0 || weights.Any(w => w.Value < 0))
        {
            throw new ArgumentException("traffic weights must be non-negative with a positive sum", nameof(weights));
        }

        _slotOwners = new string[total];
        var slot = 0;
        foreach (var (version, weight) in weights)
        {
            for (var i = 0; i < weight; i++)
            {
                _slotOwners[slot++] = version;
            }
        }

        _stride = Strides.FirstOrDefault(s => GreatestCommonDivisor(s, total) == 1, 1);
    }

    public IReadOnlyList<KeyValuePair<string, int>> Weights { get; }

    public string Next()
    {
        var n = (ulong)Interlocked.Increment(ref _requests);
        return _slotOwners[(int)(n * (ulong)_stride % (ulong)_slotOwners.Length)];
    }

    private static int GreatestCommonDivisor(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
