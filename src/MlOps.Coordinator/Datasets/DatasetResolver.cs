using System.Globalization;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Datasets;

/// <summary>A job's dataset as checked at submit: what the files are, and the registered version it pins (null for a catalog dataset).</summary>
internal sealed record CheckedDataset(DatasetDescriptor Descriptor, DatasetVersion? Version);

/// <summary>
/// Resolves a job spec's <see cref="DatasetRef"/> against the registered dataset versions: <c>name@N</c> is that
/// version, <c>name</c> the newest, a digest must match (or, alone, picks the version with that digest); a name given as
/// a digest is looked up by digest. The files are then checked from the local cache. A name with no registered
/// versions is not this class's business: <see cref="Resolution.Registered"/> is false and the catalog decides.
/// </summary>
internal sealed class DatasetResolver(IRegistryStore registry, DatasetInspector inspector)
{
    /// <summary>The outcome: <c>Registered</c> is false when the name has no registered versions (the catalog applies);
    /// otherwise either a checked dataset or the errors that prevent it.</summary>
    public sealed record Resolution(bool Registered, CheckedDataset? Dataset, IReadOnlyList<FieldError> Errors);

    private static readonly Resolution NotRegistered = new(false, null, []);

    public async Task<Resolution> ResolveAsync(DatasetRef reference, CancellationToken cancellationToken)
    {
        if (Sha256Digest.IsValid(reference.Name))
        {
            var byDigest = await registry.FindDatasetVersionAsync(reference.Name, cancellationToken);
            return byDigest is null
                ? Failed("dataset.name", $"no registered dataset version has manifest digest {reference.Name}")
                : await InspectAsync(byDigest, cancellationToken);
        }

        var versions = await registry.ListDatasetVersionsAsync(reference.Name, cancellationToken);
        if (versions.Count == 0)
        {
            return NotRegistered;
        }

        var known = string.Join(", ", versions.Select(v => v.Version.ToString(CultureInfo.InvariantCulture)));
        DatasetVersion? chosen;
        if (!string.IsNullOrEmpty(reference.Version))
        {
            chosen = TryParseVersion(reference.Version, out var number) ? versions.FirstOrDefault(v => v.Version == number) : null;
            if (chosen is null)
            {
                return Failed("dataset.version", $"dataset '{reference.Name}' has no version '{reference.Version}'; known versions: {known}");
            }
        }
        else if (!string.IsNullOrEmpty(reference.Digest))
        {
            chosen = versions.LastOrDefault(v => v.Digest == reference.Digest);
            if (chosen is null)
            {
                return Failed("dataset.digest", $"no version of dataset '{reference.Name}' has digest {reference.Digest}; known versions: {Describe(versions)}");
            }
        }
        else
        {
            chosen = versions[^1];
        }

        if (!string.IsNullOrEmpty(reference.Digest) && reference.Digest != chosen.Digest)
        {
            return Failed("dataset.digest",
                $"the spec expects {reference.Digest} but dataset {reference.Name}@{chosen.Version.ToString(CultureInfo.InvariantCulture)} is {chosen.Digest}");
        }

        return await InspectAsync(chosen, cancellationToken);
    }

    private async Task<Resolution> InspectAsync(DatasetVersion version, CancellationToken cancellationToken)
    {
        var label = $"{version.Name}@{version.Version.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            var descriptor = await inspector.InspectAsync(version, cancellationToken);
            return new Resolution(true, new CheckedDataset(descriptor, version), []);
        }
        catch (DatasetFileException ex)
        {
            return Failed("dataset", $"dataset {label} cannot be used: {ex.Message}");
        }
        catch (ArtifactException ex)
        {
            return Failed("dataset", $"dataset {label} cannot be fetched from the artifact store: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed("dataset", $"dataset {label} cannot be cached on the coordinator: {ex.Message}");
        }
    }

    /// <summary>A version label: <c>3</c> or <c>v3</c>.</summary>
    public static bool TryParseVersion(string text, out int version)
    {
        var digits = text.StartsWith('v') ? text[1..] : text;
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }

    private static string Describe(IReadOnlyList<DatasetVersion> versions) =>
        string.Join(", ", versions.Select(v => $"{v.Version.ToString(CultureInfo.InvariantCulture)} ({v.Digest})"));

    private static Resolution Failed(string field, string message) => new(true, null, [new FieldError(field, message)]);
}
