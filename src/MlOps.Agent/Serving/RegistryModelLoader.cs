using MlOps.Contracts;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;

namespace MlOps.Agent.Serving;

/// <summary>
/// How the agent finds a model to serve by name (the protocol's explicit load): the newest version in the
/// coordinator's registry, pulled once into the node-local <see cref="ModelCache"/>, then served from there.
/// </summary>
internal sealed class RegistryModelLoader(ModelRegistry.ModelRegistryClient registry, ModelCache cache)
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

        var directory = await cache.EnsureAsync(version.Repository, version.ManifestDigest, cancellationToken);

        return [new ModelSource(version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), directory) { ExpectedDigest = version.OnnxDigest }];
    }
}
