using System.Diagnostics;
using System.Text;
using MlOps.Discovery.Sessions;
using MlOps.Discovery.Tests.Support;

namespace MlOps.Discovery.Tests.KeyValue;

/// <summary>KV reads, check-and-set writes and session locks against a real Consul 1.8 dev agent.</summary>
[Trait("Category", "Integration")]
public sealed class KeyValueTests(ConsulAgentFixture consul) : IClassFixture<ConsulAgentFixture>
{
    [Fact]
    public async Task PutKeyAsync_CasZero_CreatesOnlyWhenAbsent()
    {
        using var client = consul.Client();
        var key = Key();

        var created = await client.PutKeyAsync(key, Bytes("first"), cas: 0);
        var again = await client.PutKeyAsync(key, Bytes("second"), cas: 0);

        Assert.True(created);
        Assert.False(again);
        Assert.Equal("first", (await client.GetKeyAsync(key)).Value!.ValueAsString());
    }

    [Fact]
    public async Task PutKeyAsync_CasModifyIndex_FirstWriterWinsStaleWriterLoses()
    {
        using var client = consul.Client();
        var key = Key();
        await client.PutKeyAsync(key, Bytes("v1"));
        var read = (await client.GetKeyAsync(key)).Value!;

        var winner = await client.PutKeyAsync(key, Bytes("v2"), cas: read.ModifyIndex);
        var loser = await client.PutKeyAsync(key, Bytes("v3"), cas: read.ModifyIndex);

        Assert.True(winner);
        Assert.False(loser);
        var final = (await client.GetKeyAsync(key)).Value!;
        Assert.Equal("v2", final.ValueAsString());
        Assert.True(final.ModifyIndex > read.ModifyIndex);
    }

    [Fact]
    public async Task DeleteKeyAsync_StaleCas_KeepsKeyCurrentCasDeletes()
    {
        using var client = consul.Client();
        var key = Key();
        await client.PutKeyAsync(key, Bytes("v1"));
        var stale = (await client.GetKeyAsync(key)).Value!.ModifyIndex;
        await client.PutKeyAsync(key, Bytes("v2"));
        var current = (await client.GetKeyAsync(key)).Value!.ModifyIndex;

        Assert.False(await client.DeleteKeyAsync(key, cas: stale));
        Assert.NotNull((await client.GetKeyAsync(key)).Value);
        Assert.True(await client.DeleteKeyAsync(key, cas: current));
        Assert.Null((await client.GetKeyAsync(key)).Value);
    }

    [Fact]
    public async Task GetKeyAsync_BinaryValueAndMissingKey_RoundTripsAndReturnsNull()
    {
        using var client = consul.Client();
        var key = Key() + "/nested/deeper";
        byte[] value = [0, 1, 2, 255, 254, (byte)'\n'];

        var missing = await client.GetKeyAsync(key);
        await client.PutKeyAsync(key, value);
        var read = await client.GetKeyAsync(key);

        Assert.Null(missing.Value);
        Assert.True(missing.Index > 0);
        Assert.Equal(value, read.Value!.Value.ToArray());
        Assert.Equal(key, read.Value.Key);
        Assert.Null(read.Value.Session);
    }

    [Fact]
    public async Task GetKeyAsync_BlockingOnMissingKey_ReturnsWhenCreated()
    {
        using var client = consul.Client();
        var key = Key();
        var missing = await client.GetKeyAsync(key);

        var blocked = client.GetKeyAsync(key, QueryOptions.Blocking(missing.Index, TimeSpan.FromSeconds(30)));
        await Task.Delay(200);
        Assert.False(blocked.IsCompleted);
        await client.PutKeyAsync(key, Bytes("here"));
        var created = await blocked.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("here", created.Value!.ValueAsString());
        Assert.True(created.Index > missing.Index);
    }

    [Fact]
    public async Task AcquireKeyAsync_HeldBySession_OthersRefusedUntilReleased()
    {
        using var client = consul.Client();
        var key = Key();
        var first = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(30), LockDelay = TimeSpan.FromSeconds(10) });
        var second = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(30) });
        try
        {
            Assert.True(await client.AcquireKeyAsync(key, first, Bytes("first")));
            Assert.True(await client.AcquireKeyAsync(key, first, Bytes("first again")));
            Assert.False(await client.AcquireKeyAsync(key, second, Bytes("second")));
            var held = (await client.GetKeyAsync(key)).Value!;
            Assert.Equal((first, 1UL, "first again"), (held.Session, held.LockIndex, held.ValueAsString()));

            Assert.False(await client.ReleaseKeyAsync(key, second, Bytes("x")));
            Assert.True(await client.ReleaseKeyAsync(key, first, Bytes("released")));

            // A voluntary release is not an invalidation: no lock-delay.
            Assert.True(await client.AcquireKeyAsync(key, second, Bytes("second")));
            var taken = (await client.GetKeyAsync(key)).Value!;
            Assert.Equal((second, 2UL), (taken.Session, taken.LockIndex));
        }
        finally
        {
            await client.DestroySessionAsync(first);
            await client.DestroySessionAsync(second);
        }
    }

    [Fact]
    public async Task AcquireKeyAsync_HolderSessionInvalidated_RefusedForLockDelay()
    {
        using var client = consul.Client();
        var key = Key();
        var lockDelay = TimeSpan.FromSeconds(2);
        var holder = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(30), LockDelay = lockDelay });
        var next = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(30) });
        try
        {
            Assert.True(await client.AcquireKeyAsync(key, holder, Bytes("holder")));
            var clock = Stopwatch.StartNew();
            await client.DestroySessionAsync(holder);

            var refusedAtOnce = !await client.AcquireKeyAsync(key, next, Bytes("next"));
            while (!await client.AcquireKeyAsync(key, next, Bytes("next")))
            {
                Assert.True(clock.Elapsed < lockDelay + TimeSpan.FromSeconds(5), "lock-delay never ended");
                await Task.Delay(100);
            }

            Assert.True(refusedAtOnce);
            Assert.InRange(clock.Elapsed, lockDelay - TimeSpan.FromMilliseconds(200), lockDelay + TimeSpan.FromSeconds(2));
        }
        finally
        {
            await client.DestroySessionAsync(next);
        }
    }

    private static string Key() => $"mlops-tests/{Guid.NewGuid():n}";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
