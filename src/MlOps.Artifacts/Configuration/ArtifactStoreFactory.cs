using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Registry;

namespace MlOps.Artifacts.Configuration;

/// <summary>Builds the configured <see cref="IArtifactStore"/>. A registry store is also an
/// <see cref="IRegistryArtifactStore"/> (dispose it when done).</summary>
public static class ArtifactStoreFactory
{
    /// <summary>Validates <paramref name="options"/> (every problem in one <see cref="ArgumentException"/>) and builds the store.</summary>
    public static IArtifactStore Create(ArtifactStoreOptions options, TimeProvider? timeProvider = null)
    {
        ThrowIfInvalid(options);
        return options.Kind == ArtifactStoreOptions.RegistryKind ? CreateRegistry(options, timeProvider) : CreateLayout(options.Path!);
    }

    /// <summary>An OCI image-layout store rooted at <paramref name="path"/> (created on first write).</summary>
    public static IArtifactStore CreateLayout(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new OciLayoutStore(path);
    }

    /// <summary>A registry client; <paramref name="options"/> must have Kind <c>registry</c>.</summary>
    public static IRegistryArtifactStore CreateRegistry(ArtifactStoreOptions options, TimeProvider? timeProvider = null)
    {
        ThrowIfInvalid(options);
        if (options.Kind != ArtifactStoreOptions.RegistryKind)
        {
            throw new ArgumentException($"{ArtifactStoreOptions.SectionName}:Kind is '{options.Kind}', not '{ArtifactStoreOptions.RegistryKind}'", nameof(options));
        }

        var url = options.Url!.EndsWith('/') ? options.Url : options.Url + "/";
        return new OciRegistryStore(new RegistryClientOptions(new Uri(url))
        {
            Username = string.IsNullOrEmpty(options.Username) ? null : options.Username,
            Password = string.IsNullOrEmpty(options.Password) ? null : options.Password,
            ChunkSizeBytes = options.ChunkSizeBytes,
            RequestTimeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,
        }, timeProvider);
    }

    private static void ThrowIfInvalid(ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid artifact store options:\n  " + string.Join("\n  ", errors), nameof(options));
        }
    }
}
