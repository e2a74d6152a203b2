using MlOps.Agent.Session;

namespace MlOps.Agent.Tests.Session;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Next_ManyFailures_StaysWithinFloorAndCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(1));

        var delays = Enumerable.Range(0, 50).Select(_ => backoff.Next()).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)));
        Assert.True(delays.Skip(10).Max() > TimeSpan.FromSeconds(5), "backoff should grow towards the cap");
    }

    [Fact]
    public void Next_FirstDelays_GrowExponentiallyAtMost()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(2));

        for (var i = 0; i < 5; i++)
        {
            Assert.True(backoff.Next() <= TimeSpan.FromSeconds(Math.Pow(2, i)));
        }
    }

    [Fact]
    public void Reset_AfterFailures_StartsFromMinimumAgain()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(3));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.True(backoff.Next() <= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Next_DifferentAgents_DoNotRetryInLockstep()
    {
        var a = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(10));
        var b = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(11));

        var same = Enumerable.Range(0, 10).Count(_ => a.Next() == b.Next());

        Assert.True(same < 10);
    }
}
