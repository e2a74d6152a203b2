using MlOps.Artifacts;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;

namespace MlOps.Agent.Serving;

/// <summary>
/// How the agent finds a model to serve by name (the protocol's explicit load): the newest version in the
/// coordinator's registry, pulled once into the node-local cache <c>models/&lt;manifest hex&gt;</c> (every layer
/// verified; the directory appears only when complete), then served from there.
/// </summary>
internal sealed class RegistryModelLoader(ModelRegistry.ModelRegistryClient registry, IArtifactStore store, string cacheRoot)
{
    public async Task<IReadOnlyList<ModelSource>> LoadAsync(string name, CancellationToken cancellationToken)
    {
        ModelVersion version;
        try
        {
            version = await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = name }, cancellationToken: cancellationToken);
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' is not in the registry: {ex.Status.Detail}", ex);
        }

        var directory = Path.Combine(cacheRoot, version.ManifestDigest[Sha256Digest.Prefix.Length..]);
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(cacheRoot);
            await store.PullModelAsync(version.Repository, version.ManifestDigest, directory, cancellationToken);
        }

        return [new ModelSource(version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), directory) { ExpectedDigest = version.OnnxDigest }];
    }
}
