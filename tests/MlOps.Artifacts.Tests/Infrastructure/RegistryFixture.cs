using MlOps.Testing;
namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>One registry without authentication shared by a test class; tests use their own repository names.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private RegistryServer? _server;

    public RegistryServer Server => _server ?? throw new InvalidOperationException("the registry has not started");

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
