using MlOps.Contracts;

namespace MlOps.Cli.Reproducing;

/// <summary>
/// The spec that re-runs a model version: the recorded job's spec, unchanged (same name, so the result becomes a
/// new version of the same model), with the dataset pinned to the lineage's name, version and digest, the
/// lineage's seed, and the person reproducing as owner.
/// </summary>
internal static class ReproductionSpec
{
    public static JobSpec From(ModelVersion recorded, Job original, string owner)
    {
        var lineage = recorded.Lineage ?? new Lineage();
        var spec = original.Spec?.Clone() ?? throw new CliException(ExitCodes.Error,
            $"job {original.Id} of {Models.ModelText.Reference(recorded)} has no recorded spec; cannot reproduce it");
        spec.Dataset ??= new DatasetRef();
        if (lineage.DatasetName.Length > 0)
        {
            spec.Dataset.Name = lineage.DatasetName;
            spec.Dataset.Version = lineage.DatasetVersion;
        }

        var digest = lineage.DatasetDigest.Length > 0 ? lineage.DatasetDigest : original.DatasetDigest;
        if (digest.Length == 0)
        {
            throw new CliException(ExitCodes.Error,
                $"{Models.ModelText.Reference(recorded)} records no dataset digest; cannot pin the data it was trained on");
        }

        spec.Dataset.Digest = digest;
        if (lineage.Seed != 0)
        {
            // The seed the run actually used; a spec seed of 0 may have meant "the default".
            spec.Seed = lineage.Seed;
        }

        spec.Owner = owner;
        return spec;
    }
}
