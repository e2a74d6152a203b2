using Microsoft.Extensions.Hosting;

namespace MlOps.Coordinator.Tests.Infrastructure;

/// <summary>An <see cref="IHostApplicationLifetime"/> for services built without a host.</summary>
public sealed class TestLifetime : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken ApplicationStarted => CancellationToken.None;
    public CancellationToken ApplicationStopping => _stopping.Token;
    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
