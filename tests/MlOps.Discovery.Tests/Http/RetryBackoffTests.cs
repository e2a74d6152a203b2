using MlOps.Discovery.Http;

namespace MlOps.Discovery.Tests.Http;

public sealed class RetryBackoffTests
{
    private static readonly ConsulRetryOptions Options = new()
    {
        MaxAttempts = 10,
        InitialDelay = TimeSpan.FromMilliseconds(200),
        MaxDelay = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public void DelayBefore_FirstRetry_InUpperHalfOfInitialDelay()
    {
        var backoff = new RetryBackoff(Options, new Random(1));

        var delays = Enumerable.Range(0, 100).Select(_ => backoff.DelayBefore(1)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Ceiling_LaterRetries_DoublesUntilCap()
    {
        var backoff = new RetryBackoff(Options);

        var ceilings = Enumerable.Range(1, 8).Select(backoff.Ceiling).Select(c => c.TotalMilliseconds).ToArray();

        Assert.Equal([200, 400, 800, 1600, 3200, 5000, 5000, 5000], ceilings);
    }

    [Fact]
    public void DelayBefore_ManyRetries_NeverAboveCap()
    {
        var backoff = new RetryBackoff(Options, new Random(2));

        var delays = Enumerable.Range(1, 200).Select(backoff.DelayBefore).ToList();

        Assert.All(delays.Skip(10), d => Assert.InRange(d, TimeSpan.FromMilliseconds(2500), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void DelayBefore_TwoClientsFailingTogether_Spread()
    {
        var a = new RetryBackoff(Options, new Random(10));
        var b = new RetryBackoff(Options, new Random(11));

        var same = Enumerable.Range(1, 10).Count(retry => a.DelayBefore(retry) == b.DelayBefore(retry));

        Assert.True(same < 10);
    }

    [Fact]
    public void DelayBefore_RetryZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(Options).DelayBefore(0));
    }
}
