using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlOps.LoadTest.Transports;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Transports;

/// <summary>The raw HTTP/1.1 REST transport against a real Kestrel server on loopback.</summary>
[Trait("Category", "Integration")]
public sealed class RestLoadTransportTests : IAsyncLifetime
{
    private static readonly byte[][] Bodies = [Encoding.UTF8.GetBytes("""{"inputs":[0]}"""), Encoding.UTF8.GetBytes("""{"inputs":[1,2,3]}""")];
    private WebApplication _app = null!;
    private Uri _address = null!;
    private int _connections;

    public async Task InitializeAsync()
    {
        (_app, _address) = await LoopbackHttpHost.StartAsync(
            app => app.MapPost("/v2/models/{name}/infer", HandleAsync),
            listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref _connections);
                return next(connection);
            }));
    }

    private static async Task HandleAsync(HttpContext context, string name)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        if (!Bodies.Any(b => Encoding.UTF8.GetString(b) == body) || context.Request.ContentType != "application/json")
        {
            context.Response.StatusCode = 400;
            return;
        }

        switch (name)
        {
            case "sized":
                var answer = Encoding.UTF8.GetBytes(new string('x', 20_000));
                context.Response.ContentLength = answer.Length;
                await context.Response.Body.WriteAsync(answer);
                break;
            case "chunked":
                // No length: Kestrel sends it chunked, in several chunks.
                for (var i = 0; i < 5; i++)
                {
                    await context.Response.WriteAsync(new string('y', 3_000));
                    await context.Response.Body.FlushAsync();
                }

                break;
            case "busy":
                context.Response.StatusCode = 503;
                await context.Response.WriteAsync("""{"error":"busy"}""");
                break;
            case "closing":
                context.Response.Headers.Connection = "close";
                await context.Response.WriteAsync("{}");
                break;
            case "slow":
                await Task.Delay(2_000, context.RequestAborted);
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private RestLoadTransport Transport(string model, TimeSpan? timeout = null) =>
        new(_address, model, null, Bodies, timeout ?? TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData("sized")]
    [InlineData("chunked")]
    public async Task SendAsync_ManyRequests_AllSucceedOverOneKeptAliveConnection(string model)
    {
        await using var transport = Transport(model);

        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await transport.SendAsync(i % 2, default));
        }

        Assert.Equal(1, _connections);
    }

    [Fact]
    public async Task SendAsync_ConcurrentRequests_OneConnectionEach()
    {
        await using var transport = Transport("sized");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => transport.SendAsync(i % 2, default).AsTask()));

        Assert.All(results, Assert.Null);
        Assert.InRange(_connections, 1, 8);
    }

    [Fact]
    public async Task SendAsync_MoreConcurrentRequestsThanConnections_WaitForAConnection()
    {
        await using var transport = new RestLoadTransport(_address, "sized", null, Bodies, TimeSpan.FromSeconds(10), maxConnections: 2);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => transport.SendAsync(i % 2, default).AsTask()));

        Assert.All(results, Assert.Null);
        Assert.InRange(_connections, 1, 2);
    }

    [Fact]
    public async Task SendAsync_ErrorStatus_NamedByCode()
    {
        await using var transport = Transport("busy");

        Assert.Equal("HTTP 503", await transport.SendAsync(0, default));
        Assert.Equal("HTTP 503", await transport.SendAsync(1, default));
        Assert.Equal(1, _connections);
    }

    [Fact]
    public async Task SendAsync_ServerClosesEachTime_OpensANewConnection()
    {
        await using var transport = Transport("closing");

        Assert.Null(await transport.SendAsync(0, default));
        Assert.Null(await transport.SendAsync(0, default));

        Assert.Equal(2, _connections);
    }

    [Fact]
    public async Task SendAsync_SlowerThanTimeout_Timeout()
    {
        await using var transport = Transport("slow", TimeSpan.FromMilliseconds(200));

        Assert.Equal("timeout", await transport.SendAsync(0, default));
    }

    [Fact]
    public async Task SendAsync_NothingListening_ConnectionRefused()
    {
        await using var transport = new RestLoadTransport(new Uri($"http://127.0.0.1:{FreePort.Next()}"), "m", null, Bodies, TimeSpan.FromSeconds(5));

        Assert.Equal("connection refused", await transport.SendAsync(0, default));
    }

    [Theory]
    [InlineData("http://h:8000", "m", null, "http://h:8000/v2/models/m/infer")]
    [InlineData("http://h:8000/", "m", "2", "http://h:8000/v2/models/m/versions/2/infer")]
    [InlineData("http://h:8000/prefix", "a b", null, "http://h:8000/prefix/v2/models/a%20b/infer")]
    public void InferUri_TargetModelVersion_Path(string target, string model, string? version, string expected) =>
        Assert.Equal(expected, RestLoadTransport.InferUri(new Uri(target), model, version).AbsoluteUri);
}
