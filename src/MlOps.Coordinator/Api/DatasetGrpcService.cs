using System.Globalization;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Storage;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Api;

/// <summary>
/// <c>DatasetService</c>: registers dataset versions pushed to <c>datasets/&lt;name&gt;</c> (checked before they are
/// numbered; nothing is recorded for a bad one) and looks them up by <c>name@N</c>, <c>name</c> or digest.
/// </summary>
internal sealed class DatasetGrpcService(DatasetRegistrar registrar, IRegistryStore registry) : DatasetService.DatasetServiceBase
{
    public override async Task<DatasetVersion> CreateDatasetVersion(CreateDatasetVersionRequest request, ServerCallContext context)
    {
        try
        {
            return await registrar.CreateAsync(request.Name, request.ManifestDigest, request.Format, context.CancellationToken);
        }
        catch (DatasetRegistrationException ex) when (ex.Status == StatusCode.InvalidArgument)
        {
            throw RpcErrors.InvalidArgument(ex.Errors);
        }
        catch (DatasetRegistrationException ex)
        {
            throw new RpcException(new Status(ex.Status, ex.Message));
        }
        catch (ArtifactException ex)
        {
            throw RpcErrors.FromArtifactError(ex);
        }
    }

    public override async Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context)
    {
        var name = string.IsNullOrEmpty(request.Name) ? null : request.Name;
        if (name is not null && RegistryNames.NameProblem(name) is { } problem)
        {
            RpcErrors.ThrowInvalidArgument("name", problem);
        }

        // The name is a filter: a name with no versions is an empty list, as for "every dataset" on a new coordinator.
        var versions = await registry.ListDatasetVersionsAsync(name, context.CancellationToken);
        var response = new ListDatasetsResponse();
        response.Versions.AddRange(versions);
        return response;
    }

    /// <summary><c>name@N</c> (also <c>name@vN</c>), <c>name</c> for the newest version, or a manifest digest.</summary>
    public override async Task<DatasetVersion> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context)
    {
        var reference = request.Reference;
        var cancellationToken = context.CancellationToken;
        if (reference.StartsWith(Sha256Digest.Prefix, StringComparison.Ordinal))
        {
            if (!Sha256Digest.IsValid(reference))
            {
                RpcErrors.ThrowInvalidArgument("reference", $"'{reference}' is not a digest; expected sha256:<64 lowercase hex digits>");
            }

            return await registry.FindDatasetVersionAsync(reference, cancellationToken)
                ?? RpcErrors.ThrowNotFound<DatasetVersion>("reference", $"no registered dataset version has manifest digest {reference}");
        }

        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? reference : reference[..at];
        if (RegistryNames.NameProblem(name) is { } problem)
        {
            RpcErrors.ThrowInvalidArgument("reference", $"expected NAME@VERSION, NAME or sha256:DIGEST; the name {problem}");
        }

        var number = 0;
        if (at >= 0 && !DatasetResolver.TryParseVersion(reference[(at + 1)..], out number))
        {
            RpcErrors.ThrowInvalidArgument("reference", $"'{reference[(at + 1)..]}' in '{reference}' is not a version number (1, 2, ...)");
        }

        var found = number > 0
            ? await registry.GetDatasetVersionAsync(name, number, cancellationToken)
            : await registry.GetLatestDatasetVersionAsync(name, cancellationToken);
        if (found is not null)
        {
            return found;
        }

        var versions = await registry.ListDatasetVersionsAsync(name, cancellationToken);
        return RpcErrors.ThrowNotFound<DatasetVersion>("reference", versions.Count == 0
            ? $"dataset '{name}' has no registered versions"
            : $"dataset '{name}' has no version {number.ToString(CultureInfo.InvariantCulture)}; known versions: {string.Join(", ", versions.Select(v => v.Version))}");
    }
}
