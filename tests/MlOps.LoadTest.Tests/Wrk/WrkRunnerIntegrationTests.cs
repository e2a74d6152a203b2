using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        await using var app = await StartServerAsync(async context =>
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
        });
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var result = await WrkRunner.RunAsync(new Uri($"{address}/v2/models/m/infer"), Body, connections: 4, threads: 2,
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
    public async Task RunAsync_NothingListening_ThrowsWithWrksMessage()
    {
        var uri = new Uri($"http://127.0.0.1:{FreePort.Next()}/v2/models/m/infer");

        var error = await Assert.ThrowsAsync<LoadTestException>(() => WrkRunner.RunAsync(uri, Body, 1, 1, TimeSpan.FromSeconds(1), default));

        Assert.Contains("unable to connect", error.Message);
    }

    private static async Task<WebApplication> StartServerAsync(RequestDelegate infer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.MapPost("/v2/models/{name}/infer", infer);
        await app.StartAsync();
        return app;
    }
}
