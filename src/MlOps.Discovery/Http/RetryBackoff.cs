namespace MlOps.Discovery.Http;

/// <summary>
/// Delay before a retry: the ceiling doubles from <see cref="ConsulRetryOptions.InitialDelay"/> up to
/// <see cref="ConsulRetryOptions.MaxDelay"/>, and the delay is drawn from the upper half of it ("equal jitter"),
/// so clients that failed together spread out but none retries at once.
/// </summary>
internal sealed class RetryBackoff(ConsulRetryOptions options, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    /// <param name="retry">1 for the first retry (after the first failed attempt).</param>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ceiling = Ceiling(retry).TotalMilliseconds;
        return TimeSpan.FromMilliseconds((ceiling / 2) + (_random.NextDouble() * ceiling / 2));
    }

    /// <summary>The largest delay <see cref="DelayBefore"/> can return for this retry.</summary>
    public TimeSpan Ceiling(int retry)
    {
        var doubled = options.InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(options.MaxDelay.TotalMilliseconds, doubled));
    }
}
