using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MlOps.ServiceDefaults.Metrics;

/// <summary>
/// A separate HTTP/1.1 listener that answers <c>GET /metrics</c> (and nothing else) with the service's
/// <see cref="IMetricsSource"/>s. Separate from the service's own endpoints because Prometheus scrapes over HTTP/1.1,
/// while the coordinator and the agent's gRPC ports speak HTTP/2 only; it also keeps the scrape port apart from the
/// API, so it can be opened to a monitoring network alone. Nothing listens when no end point is given.
/// </summary>
public sealed partial class MetricsListener(
    IPEndPoint? endPoint, IEnumerable<IMetricsSource> sources, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    /// <summary>The path Prometheus scrapes by default.</summary>
    public const string Path = "/metrics";

    private readonly ILogger _logger = loggerFactory.CreateLogger<MetricsListener>();
    private WebApplication? _app;

    /// <summary>Where the listener is bound (<c>http://IP:PORT</c>, the port concrete), or null when it is off.</summary>
    public string? Address { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (endPoint is null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endPoint, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.MapGet(Path, (Func<HttpContext, Task<IResult>>)RenderAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        Address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var shown = Address ?? endPoint.ToString();
        LogListening(shown);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    private async Task<IResult> RenderAsync(HttpContext context)
    {
        try
        {
            return Results.Text(await MetricsPage.RenderAsync(sources, context.RequestAborted), PrometheusTextWriter.ContentType);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed scrape shows in Prometheus as up == 0; the reason belongs in the service's log.
            LogScrapeFailed(ex);
            return Results.Text("metrics unavailable: " + ex.Message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Prometheus metrics on {Address}" + Path)]
    private partial void LogListening(string address);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Rendering the metrics page failed")]
    private partial void LogScrapeFailed(Exception exception);
}
