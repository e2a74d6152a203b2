using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlOps.LoadTest.Wrk;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Wrk;

[Trait("Category", "Integration")]
public class WrkRunnerIntegrationTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[0.25,0.5,1]}]}""");

    [WrkFact]
    public async Task RunAsync_AgainstLoopbackServer_PostsTheBodyOnEveryRequest()
    {
        long wrongBodies = 0, wrongHeaders = 0;
        var (app, address) = await LoopbackHttpHost.StartAsync(server => server.MapPost("/v2/models/{name}/infer", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            if (context.Request.ContentType != "application/json")
            {
                Interlocked.Increment(ref wrongHeaders);
            }

            var matches = buffer.ToArray().AsSpan().SequenceEqual(Body);
            if (!matches)
            {
                Interlocked.Increment(ref wrongBodies);
            }

            context.Response.StatusCode = matches ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        }));
        await using var _ = app;

        var result = await WrkRunner.RunAsync(new Uri(address, "/v2/models/m/infer"), Body, connections: 4, threads: 2,
            TimeSpan.FromSeconds(2), default);

        Assert.True(result.Requests > 0, result.RawOutput);
        Assert.Equal(0, result.Non2xx);
        Assert.Equal(0, Interlocked.Read(ref wrongBodies));
        Assert.Equal(0, Interlocked.Read(ref wrongHeaders));
        Assert.True(result.RequestsPerSecond > 0, result.RawOutput);
        Assert.NotNull(result.P50Ms);
        Assert.True(result.P50Ms <= result.P99Ms, result.RawOutput);
    }

    [WrkFact]
    public async Task RunAsync_WithBearerToken_EveryRequestCarriesIt()
    {
        long wrongTokens = 0;
        var (app, address) = await LoopbackHttpHost.StartAsync(server => server.MapPost("/v2/models/{name}/infer", (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization != "Bearer tok_0123456789ab.wrk")
            {
                Interlocked.Increment(ref wrongTokens);
            }
        }));
        await using var _ = app;

        var result = await WrkRunner.RunAsync(new Uri(address, "/v2/models/m/infer"), Body, connections: 2, threads: 1,
            TimeSpan.FromSeconds(1), "tok_0123456789ab.wrk", default);

        Assert.True(result.Requests > 0, result.RawOutput);
        Assert.Equal(0, Interlocked.Read(ref wrongTokens));
        Assert.DoesNotContain("tok_0123456789ab", result.RawOutput, StringComparison.Ordinal);
    }

    [WrkFact]
    public async Task RunAsync_NothingListening_ThrowsWithWrksMessage()
    {
        var uri = new Uri($"http://127.0.0.1:{FreePort.Next()}/v2/models/m/infer");

        var error = await Assert.ThrowsAsync<LoadTestException>(() => WrkRunner.RunAsync(uri, Body, 1, 1, TimeSpan.FromSeconds(1), default));

        Assert.Contains("unable to connect", error.Message);
    }
}
