using MlOps.Artifacts.Registry;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>Registry clients for tests, built directly so tests can set what configuration does not expose.</summary>
public static class Registries
{
    public static IRegistryArtifactStore Client(string url, string? user = null, string? password = null, int chunkSize = 16 << 20,
        RequestLog? log = null, TimeSpan? connectTimeout = null, TimeProvider? time = null) =>
        new OciRegistryStore(new RegistryClientOptions(new Uri(url.TrimEnd('/') + "/"))
        {
            Username = user,
            Password = password,
            ChunkSizeBytes = chunkSize,
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
            WrapHandler = log is null ? null : log.Wrap,
        }, time);
}
