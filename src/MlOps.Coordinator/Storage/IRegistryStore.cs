using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// The durable half of the model registry and the dataset versions. Versions are immutable and numbered
/// 1, 2, 3 per name inside the insert's transaction; aliases are mutable pointers to model versions. Records
/// are the contract messages themselves (<see cref="ModelVersion"/>, <see cref="DatasetVersion"/>), as jobs are.
/// </summary>
public interface IRegistryStore
{
    /// <summary>
    /// Stores <paramref name="draft"/> (its version and created_at are ignored) as the model's next version.
    /// Keyed by <c>lineage.job_id</c>: when that job already registered a version, that version is returned.
    /// </summary>
    Task<ModelVersion> AddModelVersionAsync(ModelVersion draft, CancellationToken cancellationToken);

    Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>Every version of <paramref name="model"/>, oldest first; null when there is no such model.</summary>
    Task<IReadOnlyList<ModelVersion>?> ListModelVersionsAsync(string model, CancellationToken cancellationToken);

    Task<ModelVersion?> GetModelVersionAsync(string model, int version, CancellationToken cancellationToken);

    Task<ModelVersion?> GetModelVersionByAliasAsync(string model, string alias, CancellationToken cancellationToken);

    /// <summary>Creates or moves an alias; null (nothing written) when the version does not exist.</summary>
    Task<ModelVersion?> SetAliasAsync(string model, string alias, int version, CancellationToken cancellationToken);

    /// <summary>False when there was no such alias.</summary>
    Task<bool> DeleteAliasAsync(string model, string alias, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="draft"/> (version and created_at ignored) as the dataset's next version, unless the
    /// name already has a version with the same digest: then that one is returned with <c>Created</c> false.
    /// </summary>
    Task<(DatasetVersion Version, bool Created)> AddDatasetVersionAsync(DatasetVersion draft, CancellationToken cancellationToken);

    /// <summary>Versions of one dataset (or of every dataset when <paramref name="name"/> is null), by name then version.</summary>
    Task<IReadOnlyList<DatasetVersion>> ListDatasetVersionsAsync(string? name, CancellationToken cancellationToken);

    Task<DatasetVersion?> GetDatasetVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>The newest version of <paramref name="name"/>, or null when it has none.</summary>
    Task<DatasetVersion?> GetLatestDatasetVersionAsync(string name, CancellationToken cancellationToken);

    /// <summary>The first registered version whose manifest digest is <paramref name="digest"/>, under any name.</summary>
    Task<DatasetVersion?> FindDatasetVersionAsync(string digest, CancellationToken cancellationToken);
}
