using System.Net;
using System.Net.Sockets;
using MlOps.Discovery.Health;
using MlOps.Discovery.Tests.Support;
using static MlOps.Discovery.Tests.Support.FakeConsulHandlerForTests;

namespace MlOps.Discovery.Tests.Http;

/// <summary>Headers, query parameters, retries, timeouts and error mapping, against a fake handler and clock.</summary>
public sealed class ConsulTransportTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);
    private readonly FakeClock _time = new();

    [Fact]
    public async Task SendAsync_WithToken_SendsConsulTokenHeaderOnly()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("\"127.0.0.1:8300\""));
        using var client = Client(handler, new ConsulOptions { Token = "acl-token-1" });

        await client.GetLeaderAsync();
        await client.DeregisterServiceAsync("svc-1");

        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("acl-token-1", r.Headers["X-Consul-Token"]);
            Assert.DoesNotContain("acl-token-1", r.Uri.ToString(), StringComparison.Ordinal);
            Assert.False(r.Headers.ContainsKey("Authorization"));
        });
    }

    [Fact]
    public async Task SendAsync_WithoutToken_SendsNoTokenHeader()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("\"127.0.0.1:8300\""));
        using var client = Client(handler, new ConsulOptions());

        await client.GetLeaderAsync();

        Assert.False(handler.Requests.Single().Headers.ContainsKey("X-Consul-Token"));
    }

    [Fact]
    public async Task SendAsync_Datacenter_AddedToHealthNotToAgentCalls()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("[]", index: 5));
        using var client = Client(handler, new ConsulOptions { Datacenter = "lab-2" });

        await client.GetServiceHealthAsync("web", new HealthFilter { PassingOnly = true, Tags = ["gpu", "h100"] });
        await client.DeregisterServiceAsync("web-1");

        Assert.Equal("/v1/health/service/web?passing&tag=gpu&tag=h100&dc=lab-2", handler.Requests[0].PathAndQuery);
        Assert.Equal("/v1/agent/service/deregister/web-1", handler.Requests[1].PathAndQuery);
    }

    [Fact]
    public async Task SendAsync_ServerErrorsThenSuccess_RetriedWithJitteredBackoff()
    {
        var handler = new FakeConsulHandlerForTests(
            _ => Text(HttpStatusCode.InternalServerError, "rpc error making call: EOF"),
            _ => Text(HttpStatusCode.ServiceUnavailable, "No cluster leader"),
            _ => Json("\"127.0.0.1:8300\"")) { Clock = _time };
        var retry = new ConsulRetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10) };
        using var client = Client(handler, new ConsulOptions { Retry = retry });

        var leader = await _time.RunAsync(client.GetLeaderAsync(), Limit);

        Assert.Equal("127.0.0.1:8300", leader);
        var at = handler.Requests.Select(r => r.At!.Value).ToArray();
        Assert.Equal(3, at.Length);
        // Equal jitter: the nth retry waits between half and all of min(max, initial * 2^(n-1)).
        Assert.InRange(at[1] - at[0], TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000));
        Assert.InRange(at[2] - at[1], TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(2000));
    }

    [Fact]
    public async Task SendAsync_ServerErrorsPersist_ThrowsAfterMaxAttemptsWithConsulText()
    {
        var handler = new FakeConsulHandlerForTests(_ => Text(HttpStatusCode.InternalServerError, "No cluster leader"));
        using var client = Client(handler, new ConsulOptions { Retry = new ConsulRetryOptions { MaxAttempts = 3 } });

        var error = await Assert.ThrowsAsync<ConsulException>(() => _time.RunAsync(client.GetLeaderAsync(), Limit));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("No cluster leader", error.ConsulMessage);
        Assert.Contains("No cluster leader", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "Invalid wait time")]
    [InlineData(HttpStatusCode.Forbidden, "Permission denied")]
    [InlineData(HttpStatusCode.MethodNotAllowed, "method GET not allowed")]
    [InlineData(HttpStatusCode.TooManyRequests, "rate limit exceeded")]
    public async Task SendAsync_ClientError_NotRetriedAndMappedWithPlainText(HttpStatusCode status, string text)
    {
        var handler = new FakeConsulHandlerForTests(_ => Text(status, text));
        using var client = Client(handler, new ConsulOptions());

        var error = await Assert.ThrowsAsync<ConsulException>(() => client.GetServiceHealthAsync("web"));

        Assert.Single(handler.Requests);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(text, error.ConsulMessage);
        Assert.Equal("GET", error.Method);
        Assert.Equal("/v1/health/service/web", error.Path);
        Assert.Equal(status == HttpStatusCode.Forbidden, error.IsPermissionDenied);
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_RetriedThenThrowsWithoutStatus()
    {
        var handler = new FakeConsulHandlerForTests(_ => throw new HttpRequestException("Connection refused (127.0.0.1:8500)", new SocketException((int)SocketError.ConnectionRefused)));
        using var client = Client(handler, new ConsulOptions { Retry = new ConsulRetryOptions { MaxAttempts = 4 } });

        var error = await Assert.ThrowsAsync<ConsulException>(() => _time.RunAsync(client.PutKeyAsync("k", "v"u8.ToArray()), Limit));

        Assert.Equal(4, handler.Requests.Count);
        Assert.Null(error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task SendAsync_BlockingQuery_SendsIndexAndWaitAndReturnsNewIndex()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("[]", index: 57));
        using var client = Client(handler, new ConsulOptions());

        var result = await client.GetServiceHealthAsync("web", query: QueryOptions.Blocking(42, TimeSpan.FromSeconds(30)));

        Assert.Equal("/v1/health/service/web?index=42&wait=30s", handler.Requests.Single().PathAndQuery);
        Assert.Equal(57UL, result.Index);
        Assert.False(result.IndexReset);
        Assert.True(result.KnownLeader);
    }

    [Fact]
    public async Task SendAsync_IndexWentBackwards_ReturnsZeroAndFlagsReset()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("[]", index: 9));
        using var client = Client(handler, new ConsulOptions());

        var result = await client.GetServiceHealthAsync("web", query: QueryOptions.Blocking(1200, TimeSpan.FromSeconds(5)));

        Assert.Equal(0UL, result.Index);
        Assert.True(result.IndexReset);
    }

    [Fact]
    public async Task SendAsync_BlockingQueryOutlivingWaitPlusJitter_TimesOutOnlyAfterIt()
    {
        var hanging = new HangingHandler();
        var start = _time.GetUtcNow();
        using var http = new HttpClient(hanging) { Timeout = Timeout.InfiniteTimeSpan };
        using var client = new ConsulClient(http, new ConsulOptions { RequestTimeout = TimeSpan.FromSeconds(10), Retry = new ConsulRetryOptions { MaxAttempts = 1 } }, _time);

        var query = client.GetServiceHealthAsync("web", query: QueryOptions.Blocking(3, TimeSpan.FromSeconds(160)));
        // Consul may answer up to wait + wait/16 = 170 s later; the client must still be listening then.
        await _time.StepUntilAsync(() => _time.GetUtcNow() - start >= TimeSpan.FromSeconds(175), Limit, TimeSpan.FromSeconds(1));
        Assert.False(query.IsCompleted);

        await _time.StepUntilAsync(() => query.IsCompleted, Limit, TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<ConsulException>(() => query);
        Assert.Contains("timed out after 00:03:00", error.Message, StringComparison.Ordinal);
        Assert.Null(error.StatusCode);
        Assert.Equal(1, hanging.Calls);
    }

    [Fact]
    public async Task SendAsync_HttpClientTimeoutShorterThanWait_FailsFastAndSaysWhy()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("[]", index: 1));
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(100) };
        using var client = new ConsulClient(http, new ConsulOptions(), _time);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetServiceHealthAsync("web", query: QueryOptions.Blocking(1, TimeSpan.FromMinutes(5))));

        Assert.Contains("Timeout.InfiniteTimeSpan", error.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceledWithoutRetry()
    {
        var hanging = new HangingHandler();
        using var http = new HttpClient(hanging) { Timeout = Timeout.InfiniteTimeSpan };
        using var client = new ConsulClient(http, new ConsulOptions(), _time);
        using var cts = new CancellationTokenSource();

        var call = client.GetLeaderAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, hanging.Calls);
    }

    private ConsulClient Client(FakeConsulHandlerForTests handler, ConsulOptions options) =>
        new(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, options with { Address = "http://consul.test:8500" }, _time);

    /// <summary>A Consul that never answers.</summary>
    private sealed class HangingHandler : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
