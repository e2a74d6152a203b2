using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MlOps.Discovery.Locking;
using MlOps.Discovery.Tests.Support;

namespace MlOps.Discovery.Tests.Locking;

/// <summary>Leader election between real contenders on a real Consul 1.8 dev agent.</summary>
[Trait("Category", "Integration")]
public sealed class ConsulLockTests(ConsulAgentFixture consul) : IClassFixture<ConsulAgentFixture>
{
    private static readonly TimeSpan LockDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AcquireAsync_TwoContenders_ExactlyOneLeads()
    {
        using var client = consul.Client();
        var key = Key();
        await using var a = Lock(client, key, "a");
        await using var b = Lock(client, key, "b");

        var aWins = a.AcquireAsync();
        var bWins = b.AcquireAsync();
        var first = await Task.WhenAny(aWins, bWins).WaitAsync(Patience);
        await Task.Delay(500);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False((first == aWins ? bWins : aWins).IsCompleted, "both contenders became leader");
        Assert.Equal(1, (a.IsHeld ? 1 : 0) + (b.IsHeld ? 1 : 0));
        var leader = a.IsHeld ? a : b;
        var entry = (await client.GetKeyAsync(key)).Value!;
        Assert.Equal(leader.SessionId, entry.Session);
        Assert.Equal(leader == a ? "a" : "b", entry.ValueAsString());
        Assert.Equal(entry.LockIndex, leader.LockIndex);
    }

    [Fact]
    public async Task AcquireAsync_LeaderSessionDestroyed_LeaderToldAndOtherTakesOverAfterLockDelay()
    {
        using var client = consul.Client();
        var key = Key();
        await using var a = Lock(client, key, "a");
        await using var b = Lock(client, key, "b");
        var aLeadership = await a.AcquireAsync().WaitAsync(Patience);
        var bWins = b.AcquireAsync();
        var lost = new TaskCompletionSource<LeadershipLostEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.LeadershipLost += (_, e) => lost.TrySetResult(e);
        await Task.Delay(300);
        Assert.False(bWins.IsCompleted);

        var clock = Stopwatch.StartNew();
        await client.DestroySessionAsync(a.SessionId!);
        var why = await lost.Task.WaitAsync(Patience);
        var bLeadership = await bWins.WaitAsync(Patience);

        Assert.True(aLeadership.IsCancellationRequested);
        Assert.False(a.IsHeld);
        Assert.Equal(key, why.Key);
        Assert.True(b.IsHeld);
        Assert.False(bLeadership.IsCancellationRequested);
        Assert.True(clock.Elapsed >= LockDelay - TimeSpan.FromMilliseconds(200), $"took over after {clock.Elapsed}, inside the lock-delay");
        Assert.Equal("b", (await client.GetKeyAsync(key)).Value!.ValueAsString());
    }

    [Fact]
    public async Task AcquireAsync_LeaderStopsRenewing_SessionExpiresAndOtherTakesOver()
    {
        using var client = consul.Client();
        var key = Key();
        // The leader's clock never moves, so its renewal timer never fires: a hung leader.
        var frozen = new FakeTimeProvider();
        var ttl = TimeSpan.FromSeconds(1);
        await using var a = new ConsulLock(client, Options(key, "a") with { SessionTtl = ttl }, frozen);
        await using var b = Lock(client, key, "b");
        var aLeadership = await a.AcquireAsync().WaitAsync(Patience);
        var clock = Stopwatch.StartNew();

        var bLeadership = await b.AcquireAsync().WaitAsync(Patience);

        Assert.True(b.IsHeld);
        Assert.False(bLeadership.IsCancellationRequested);
        // Consul expires an unrenewed session between one and two TTLs; then the lock-delay runs.
        Assert.True(clock.Elapsed >= ttl + LockDelay - TimeSpan.FromMilliseconds(300), $"took over after {clock.Elapsed}");
        await WaitUntilAsync(() => aLeadership.IsCancellationRequested);
        Assert.False(a.IsHeld);
    }

    [Fact]
    public async Task DisposeAsync_Leader_ReleasesKeyAndOtherLeadsWithoutLockDelay()
    {
        using var client = consul.Client();
        var key = Key();
        // A lock-delay far longer than a takeover takes: a release must not wait it out.
        var longDelay = TimeSpan.FromSeconds(30);
        var a = new ConsulLock(client, Options(key, "a") with { LockDelay = longDelay });
        await using var b = new ConsulLock(client, Options(key, "b") with { LockDelay = longDelay });
        var aLeadership = await a.AcquireAsync().WaitAsync(Patience);
        var aSession = a.SessionId!;
        var bWins = b.AcquireAsync();
        var lostRaised = false;
        a.LeadershipLost += (_, _) => lostRaised = true;

        var clock = Stopwatch.StartNew();
        await a.DisposeAsync();
        await bWins.WaitAsync(Patience);

        Assert.True(aLeadership.IsCancellationRequested);
        Assert.False(lostRaised, "a release is not a loss");
        Assert.True(clock.Elapsed < longDelay / 2, $"took over after {clock.Elapsed}: a release must not wait out the lock-delay");
        Assert.Null((await client.GetSessionAsync(aSession)).Value);
        Assert.True(b.IsHeld);
    }

    [Fact]
    public async Task AcquireAsync_AfterLosingLeadership_LeadsAgainWithNewSessionAndHigherLockIndex()
    {
        using var client = consul.Client();
        var key = Key();
        await using var a = Lock(client, key, "a");
        await a.AcquireAsync().WaitAsync(Patience);
        var firstSession = a.SessionId!;
        var firstIndex = a.LockIndex!.Value;

        await client.DestroySessionAsync(firstSession);
        await WaitUntilAsync(() => !a.IsHeld);
        await a.AcquireAsync().WaitAsync(Patience);

        Assert.True(a.IsHeld);
        Assert.NotEqual(firstSession, a.SessionId);
        Assert.True(a.LockIndex > firstIndex);
        Assert.Null((await client.GetSessionAsync(firstSession)).Value);
    }

    private static ConsulLockOptions Options(string key, string who) => new()
    {
        Key = key,
        Value = Encoding.UTF8.GetBytes(who),
        SessionName = "test-" + who,
        SessionTtl = TimeSpan.FromSeconds(10),
        LockDelay = LockDelay,
        WatchWait = TimeSpan.FromSeconds(10),
        RetryDelay = TimeSpan.FromMilliseconds(200),
    };

    private static ConsulLock Lock(IConsulClient client, string key, string who) => new(client, Options(key, who));

    private static string Key() => $"service/mlops-test-{Guid.NewGuid():n}/leader";

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
