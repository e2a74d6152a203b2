using Microsoft.Extensions.Options;
using MlOps.Core.Datasets;

namespace MlOps.Coordinator.Configuration;

/// <summary>
/// The dataset catalog, bound from the <c>Datasets</c> section: each key is a dataset name, each value a
/// <see cref="DatasetEntry"/> (<c>--Datasets:tiny:Path=/data/tiny</c>). Configured entries are added to
/// <see cref="DatasetCatalog.Defaults"/> (Fashion-MNIST from Debian's package) and override a default of
/// the same name field by field.
/// </summary>
public sealed class DatasetCatalogOptions
{
    /// <summary>The configuration section the catalog is bound from.</summary>
    public const string SectionName = "Datasets";

    /// <summary>Dataset entries by name.</summary>
    public Dictionary<string, DatasetEntry> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>Fills <see cref="Entries"/> with copies of the defaults (copies: binding must not change the shared instances).</summary>
    internal void AddDefaults()
    {
        foreach (var (name, entry) in DatasetCatalog.Defaults)
        {
            Entries[name] = new DatasetEntry
            {
                Path = entry.Path, Format = entry.Format, TrainCount = entry.TrainCount, TestCount = entry.TestCount,
            };
        }
    }
}

/// <summary>Checks every catalog entry at start-up and reports all problems at once.</summary>
internal sealed class DatasetCatalogOptionsValidator : IValidateOptions<DatasetCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, DatasetCatalogOptions options)
    {
        var errors = new List<string>();
        foreach (var (datasetName, entry) in options.Entries)
        {
            var key = $"{DatasetCatalogOptions.SectionName}:{datasetName}";
            if (string.IsNullOrWhiteSpace(entry.Path))
            {
                errors.Add($"{key}:Path is required");
            }
            else if (!Path.IsPathFullyQualified(entry.Path))
            {
                errors.Add($"{key}:Path must be an absolute path, got '{entry.Path}'");
            }

            if (entry.Format != "mnist-idx")
            {
                errors.Add($"{key}:Format '{entry.Format}' is not supported; supported: mnist-idx");
            }

            if (entry.TrainCount is < 1)
            {
                errors.Add($"{key}:TrainCount must be positive when set, got {entry.TrainCount}");
            }

            if (entry.TestCount is < 1)
            {
                errors.Add($"{key}:TestCount must be positive when set, got {entry.TestCount}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
