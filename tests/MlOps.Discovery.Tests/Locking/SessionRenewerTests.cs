using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Discovery.Locking;
using MlOps.Discovery.Tests.Support;
using static MlOps.Discovery.Tests.Support.FakeConsulHandlerForTests;

namespace MlOps.Discovery.Tests.Locking;

/// <summary>The renewal loop on a fake clock: cadence, adopted TTLs, expiry and giving up after a whole TTL.</summary>
public sealed class SessionRenewerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
        private readonly FakeClock _time = new();

    [Fact]
    public async Task RunAsync_HealthySession_RenewsEveryHalfTtl()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json(Entry("10s"))) { Clock = _time };
        using var client = Client(handler);
        using var stop = new CancellationTokenSource();
        var start = _time.GetUtcNow();

        var run = SessionRenewer.RunAsync(client, "adf4238a-882b-9ddc-4a9d-5b6758e4159e", TimeSpan.FromSeconds(10), _time, NullLogger.Instance, stop.Token);
        await _time.RunUntilAsync(() => handler.Requests.Count >= 3, Limit);
        await stop.CancelAsync();

        Assert.Equal(SessionEnd.Stopped, await run);
        var offsets = handler.Requests.Take(3).Select(r => (r.At!.Value - start).TotalSeconds);
        Assert.Equal([5.0, 10.0, 15.0], offsets);
        Assert.All(handler.Requests, r => Assert.Equal("/v1/session/renew/adf4238a-882b-9ddc-4a9d-5b6758e4159e", r.PathAndQuery));
    }

    [Fact]
    public async Task RunAsync_ConsulRaisesTtl_RenewsLessOften()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json(Entry("40s"))) { Clock = _time };
        using var client = Client(handler);
        using var stop = new CancellationTokenSource();

        var run = SessionRenewer.RunAsync(client, "adf4238a-882b-9ddc-4a9d-5b6758e4159e", TimeSpan.FromSeconds(10), _time, NullLogger.Instance, stop.Token);
        await _time.RunUntilAsync(() => handler.Requests.Count >= 2, Limit);
        await stop.CancelAsync();
        await run;

        Assert.Equal(TimeSpan.FromSeconds(20), handler.Requests[1].At!.Value - handler.Requests[0].At!.Value);
    }

    [Fact]
    public async Task RunAsync_SessionGone_ReportsExpired()
    {
        var handler = new FakeConsulHandlerForTests(
            _ => Json(Entry("10s")),
            _ => Text(HttpStatusCode.NotFound, "Session id 'adf4238a-882b-9ddc-4a9d-5b6758e4159e' not found"));
        using var client = Client(handler);

        var end = await _time.RunAsync(
            SessionRenewer.RunAsync(client, "adf4238a-882b-9ddc-4a9d-5b6758e4159e", TimeSpan.FromSeconds(10), _time, NullLogger.Instance, CancellationToken.None), Limit);

        Assert.Equal(SessionEnd.Expired, end);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task RunAsync_RenewalsFailForAWholeTtl_GivesUpAfterRetrying()
    {
        var handler = new FakeConsulHandlerForTests(
            _ => Json(Entry("10s")),
            _ => Text(HttpStatusCode.InternalServerError, "No cluster leader")) { Clock = _time };
        using var client = Client(handler);
        var start = _time.GetUtcNow();

        var end = await _time.RunAsync(
            SessionRenewer.RunAsync(client, "adf4238a-882b-9ddc-4a9d-5b6758e4159e", TimeSpan.FromSeconds(10), _time, NullLogger.Instance, CancellationToken.None), Limit);

        Assert.Equal(SessionEnd.Unrenewable, end);
        // Renewed at 5 s; the failures from 10 s on are retried every TTL/10 until 15 s, a whole TTL after the success.
        Assert.Equal([5.0, 10.0, 11.0, 12.0, 13.0, 14.0], handler.Requests.Select(r => (r.At!.Value - start).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(15), _time.GetUtcNow() - start);
    }

    private static string Entry(string ttl) =>
        $$"""[{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","Name":"l","Node":"n","Checks":[],"LockDelay":1000000000,"Behavior":"release","TTL":"{{ttl}}","CreateIndex":1,"ModifyIndex":1}]""";

    private ConsulClient Client(FakeConsulHandlerForTests handler) => new(
        new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan },
        new ConsulOptions { Address = "http://consul.test:8500", Retry = new ConsulRetryOptions { MaxAttempts = 1 } },
        _time);
}
