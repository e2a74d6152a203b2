using System.Net;
using MlOps.Discovery.Sessions;
using MlOps.Discovery.Tests.Support;
using static MlOps.Discovery.Tests.Support.FakeConsulHandlerForTests;

namespace MlOps.Discovery.Tests.Sessions;

public sealed class SessionWireTests
{
    [Fact]
    public async Task CreateSessionAsync_NoChecks_SendsEmptyChecksAndGoDurations()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("""{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e"}"""));
        using var client = Client(handler);

        var id = await client.CreateSessionAsync(new SessionRequest
        {
            Name = "leader",
            Ttl = TimeSpan.FromSeconds(15),
            LockDelay = TimeSpan.FromMilliseconds(1500),
            Behavior = SessionBehavior.Delete,
            Checks = [],
        });

        Assert.Equal("adf4238a-882b-9ddc-4a9d-5b6758e4159e", id);
        Assert.Equal("""{"Name":"leader","Checks":[],"LockDelay":"1500ms","Behavior":"delete","TTL":"15s"}""", handler.Requests.Single().Body);
    }

    [Fact]
    public async Task CreateSessionAsync_DefaultChecks_LeavesChecksOut()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("""{"ID":"x"}"""));
        using var client = Client(handler);

        await client.CreateSessionAsync(new SessionRequest());

        Assert.Equal("""{"Behavior":"release"}""", handler.Requests.Single().Body);
    }

    [Fact]
    public async Task CreateSessionAsync_Invalid_ThrowsListingEveryProblem()
    {
        using var client = Client(new FakeConsulHandlerForTests(_ => Json("{}")));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.Zero, LockDelay = TimeSpan.FromMinutes(2) }));

        Assert.Contains("Ttl", error.Message, StringComparison.Ordinal);
        Assert.Contains("LockDelay", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenewSessionAsync_Answer_ParsesNanosecondLockDelayAndStringTtl()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("""
            [{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","Name":"leader","Node":"n1","Checks":["serfHealth"],"LockDelay":1.5e10,"Behavior":"delete","TTL":"1m0s","CreateIndex":10,"ModifyIndex":11}]
            """));
        using var client = Client(handler);

        var info = await client.RenewSessionAsync("adf4238a-882b-9ddc-4a9d-5b6758e4159e");

        Assert.Equal(TimeSpan.FromSeconds(15), info.LockDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), info.Ttl);
        Assert.Equal(SessionBehavior.Delete, info.Behavior);
        Assert.Equal(["serfHealth"], info.Checks);
        Assert.Equal("/v1/session/renew/adf4238a-882b-9ddc-4a9d-5b6758e4159e", handler.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task GetSessionAsync_Consul18Answer_ReadsNodeAndServiceChecks()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("""
            [{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","Name":"","Node":"n1","LockDelay":15000000000,"Behavior":"release","TTL":"20s",
              "NodeChecks":["serfHealth"],"ServiceChecks":[{"ID":"web-ttl","Namespace":""}],"CreateIndex":13,"ModifyIndex":13}]
            """, index: 13));
        using var client = Client(handler);

        var info = (await client.GetSessionAsync("adf4238a-882b-9ddc-4a9d-5b6758e4159e")).Value!;

        Assert.Equal(["serfHealth", "web-ttl"], info.Checks);
        Assert.Equal(TimeSpan.FromSeconds(20), info.Ttl);
    }

    [Theory]
    [InlineData("s1")]
    [InlineData("not-a-uuid-at-all")]
    public async Task SessionCalls_MalformedId_ThrowBeforeSending(string id)
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("true"));
        using var client = Client(handler);

        await Assert.ThrowsAsync<ArgumentException>(() => client.RenewSessionAsync(id));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DestroySessionAsync(id));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AcquireKeyAsync("k", id, ReadOnlyMemory<byte>.Empty));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task RenewSessionAsync_NotFound_ThrowsSessionExpired()
    {
        var handler = new FakeConsulHandlerForTests(_ => Text(HttpStatusCode.NotFound, "Session id 'adf4238a-882b-9ddc-4a9d-5b6758e4159e' not found"));
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<ConsulSessionExpiredException>(() => client.RenewSessionAsync("adf4238a-882b-9ddc-4a9d-5b6758e4159e"));

        Assert.Equal("adf4238a-882b-9ddc-4a9d-5b6758e4159e", error.SessionId);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task GetSessionAsync_Unknown_ReturnsNullValue()
    {
        using var client = Client(new FakeConsulHandlerForTests(_ => Json("[]", index: 4)));

        var result = await client.GetSessionAsync("0e6b6b4e-0000-4000-8000-000000000000");

        Assert.Null(result.Value);
        Assert.Equal(4UL, result.Index);
    }

    private static ConsulClient Client(FakeConsulHandlerForTests handler) =>
        new(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, new ConsulOptions { Address = "http://consul.test:8500" });
}
