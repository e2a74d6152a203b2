using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Datasets;

/// <summary>
/// Registers a dataset version whose manifest and files were pushed to <c>datasets/&lt;name&gt;</c>: reads the
/// manifest, fetches every file into the verified local cache and checks the format there (all before anything is
/// recorded), then numbers the version in the database and tags the manifest <c>v&lt;N&gt;</c> in the store. The same
/// manifest pushed again under the same name is the same version.
/// </summary>
internal sealed class DatasetRegistrar(
    IArtifactStore store,
    IRegistryStore registry,
    DatasetCache cache,
    DatasetManifestReader manifests,
    ILogger<DatasetRegistrar> logger)
{
    /// <summary>Throws <see cref="DatasetRegistrationException"/> with the status and field a caller should see.</summary>
    public async Task<DatasetVersion> CreateAsync(string name, string manifestDigest, string format, CancellationToken cancellationToken)
    {
        format = string.IsNullOrEmpty(format) ? DatasetInspector.DefaultFormat : format;
        var errors = new List<FieldError>();
        if (RegistryNames.NameProblem(name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (!MlOps.Core.Digests.Sha256Digest.IsValid(manifestDigest))
        {
            errors.Add(new FieldError("manifest_digest", $"'{manifestDigest}' is not a digest; expected sha256:<64 lowercase hex digits>"));
        }

        if (!DatasetInspector.Formats.Contains(format))
        {
            errors.Add(new FieldError("format", $"'{format}' is not supported; supported: {string.Join(", ", DatasetInspector.Formats)}"));
        }

        if (errors.Count > 0)
        {
            throw DatasetRegistrationException.Invalid(errors);
        }

        var repository = RegistryNames.DatasetRepository(name);
        var manifest = await manifests.ReadAsync(repository, manifestDigest, cancellationToken);
        var existing = (await registry.ListDatasetVersionsAsync(name, cancellationToken)).FirstOrDefault(v => v.Digest == manifest.Digest);
        if (existing is not null)
        {
            await TagAsync(existing, manifest.Content, cancellationToken);
            return existing;
        }

        DatasetVersion draft;
        try
        {
            MlOps.Core.Datasets.DatasetDescriptor? descriptor = null;
            var directory = await cache.EnsureAsync(repository, manifest.Digest, manifest.Files, cancellationToken,
                verify: temp => descriptor = DatasetInspector.Check(name, manifest.Digest, format, temp));

            // Already cached (an earlier registration under another name, or a crash after caching): check it here.
            descriptor ??= await Task.Run(() => DatasetInspector.Check(name, manifest.Digest, format, directory), cancellationToken);
            draft = new DatasetVersion
            {
                Name = name,
                Digest = manifest.Digest,
                Repository = repository,
                Format = format,
                TrainCount = descriptor.TrainCount,
                TestCount = descriptor.TestCount,
            };
            draft.Files.Add(manifest.Files);
        }
        catch (DatasetFileException ex)
        {
            DatasetsLog.Refused(logger, name, manifestDigest, ex.Message);
            throw ex.Problem == DatasetFileProblem.Corrupt
                ? DatasetRegistrationException.DataLoss($"dataset {name} ({manifestDigest}): {ex.Message}")
                : DatasetRegistrationException.Invalid([new FieldError("manifest_digest", $"dataset {name} ({manifestDigest}): {ex.Message}")]);
        }

        var (version, created) = await registry.AddDatasetVersionAsync(draft, cancellationToken);
        if (created)
        {
            DatasetsLog.Registered(logger, version.Name, version.Version, version.Digest, version.Files.Count, version.TrainCount, version.TestCount);
        }

        await TagAsync(version, manifest.Content, cancellationToken);
        return version;
    }

    /// <summary>Points tag <c>v&lt;N&gt;</c> at the manifest; the database stays the source of truth, so a failure is logged, not thrown.</summary>
    private async Task TagAsync(DatasetVersion version, ManifestContent manifest, CancellationToken cancellationToken)
    {
        var tag = RegistryNames.VersionTag(version.Version);
        try
        {
            await store.PushManifestAsync(version.Repository, manifest.Bytes, manifest.MediaType, tag, cancellationToken);
        }
        catch (Exception ex) when (ex is ArtifactException or IOException)
        {
            DatasetsLog.TagFailed(logger, version.Name, version.Version, version.Repository, version.Digest, tag, ex.Message);
        }
    }
}

/// <summary>Why a dataset version was not registered, with the gRPC status it maps to.</summary>
internal sealed class DatasetRegistrationException(Grpc.Core.StatusCode status, string message, IReadOnlyList<FieldError> errors)
    : Exception(message)
{
    public Grpc.Core.StatusCode Status { get; } = status;

    public IReadOnlyList<FieldError> Errors { get; } = errors;

    public static DatasetRegistrationException Invalid(IReadOnlyList<FieldError> errors) =>
        new(Grpc.Core.StatusCode.InvalidArgument, string.Join("; ", errors), errors);

    public static DatasetRegistrationException NotFound(string field, string message) =>
        new(Grpc.Core.StatusCode.NotFound, $"{field}: {message}", [new FieldError(field, message)]);

    public static DatasetRegistrationException DataLoss(string message) => new(Grpc.Core.StatusCode.DataLoss, message, []);
}
