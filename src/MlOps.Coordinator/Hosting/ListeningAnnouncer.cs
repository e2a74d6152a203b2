using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MlOps.Coordinator.Hosting;

/// <summary>Logs the address the server actually bound (with port 0 resolved) once everything has started:
/// scripts and people wait for the line "listening on http://...".</summary>
internal sealed class ListeningAnnouncer(IServer server, ILogger<ListeningAnnouncer> logger) : IHostedLifecycleService
{
    /// <summary>The bound addresses, e.g. <c>http://127.0.0.1:7070</c>; empty until the server has started.</summary>
    public IReadOnlyList<string> Addresses =>
        [.. server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []];

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var address in Addresses)
        {
            HostingLog.Listening(logger, address);
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
