using Google.Protobuf;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Storage;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Builds the assignment an agent receives for a job. A registered dataset version (its spec carries the version
/// the submit pinned; catalog datasets take none) is named by repository, digest, name and version so the agent fetches
/// and verifies it; a catalog dataset by its path on the node. Every job learns where to push its model
/// (<c>models/&lt;spec name&gt;</c>) and the digest of its spec, which the model's lineage records. A spec with a
/// <c>baseline</c> gets that registered version's artifact to compare the trained model with. A command job gets none of
/// these: its spec names its inputs and output repository.
/// </summary>
internal sealed class JobAssignments(IOptions<DatasetCatalogOptions> catalog, DatasetCache cache, IOptions<CoordinatorOptions> options,
    IRegistryStore registry)
{
    public async Task<JobAssignment> ForAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.Spec.Command is not null)
        {
            return ForCommand(job);
        }

        var dataset = job.Spec.Dataset ?? new DatasetRef();
        var assignment = new JobAssignment
        {
            JobId = job.Id,
            Attempt = job.Attempt,
            Spec = job.Spec,
            DatasetDigest = job.DatasetDigest,
            ModelRepository = RegistryNames.ModelRepository(job.Spec.Name),
            JobSpecDigest = SpecDigest(job.Spec),
            DatasetName = dataset.Name,
            DatasetVersion = dataset.Version,
            Checkpoint = CheckpointPolicyFor(job.Spec, options.Value.CheckpointEvery),
        };
        if (job.LastCheckpoint is { ManifestDigest.Length: > 0 } checkpoint)
        {
            assignment.ResumeFrom = checkpoint;
        }

        if (IsRegistered(job))
        {
            assignment.DatasetRepository = RegistryNames.DatasetRepository(dataset.Name);
            // Agents fetch by digest; the coordinator's verified copy is named too, for an agent on the same machine.
            assignment.DatasetPath = cache.PathOf(job.DatasetDigest);
        }
        else
        {
            assignment.DatasetPath = catalog.Value.Entries.TryGetValue(dataset.Name, out var entry) ? entry.Path : "";
        }

        if (job.Spec.Baseline is { Model.Length: > 0 } baseline &&
            await registry.GetModelVersionAsync(baseline.Model, baseline.Version, cancellationToken) is { } version)
        {
            // Versions are immutable, so resolving at each assignment gives every attempt the same bytes. A version
            // that vanished (the store was restored) leaves the job without a comparison rather than failing it.
            assignment.Baseline = new BaselineArtifact
            {
                Model = version.Model,
                Version = version.Version,
                Repository = version.Repository,
                ManifestDigest = version.ManifestDigest,
                OnnxDigest = version.OnnxDigest,
            };
        }

        return assignment;
    }

    /// <summary>A command job: the spec says it all (inputs by digest, where outputs go); no dataset, no model to push,
    /// no checkpoints (a command is not resumable).</summary>
    private static JobAssignment ForCommand(Job job) => new()
    {
        JobId = job.Id,
        Attempt = job.Attempt,
        Spec = job.Spec,
        JobSpecDigest = SpecDigest(job.Spec),
        Checkpoint = new CheckpointPolicy { Disabled = true },
    };

    /// <summary>The job's checkpoint policy, or every <paramref name="defaultEvery"/> when it sets none.</summary>
    public static CheckpointPolicy CheckpointPolicyFor(JobSpec spec, TimeSpan defaultEvery) =>
        spec.Checkpoint is { } policy && (policy.Disabled || policy.EverySteps > 0 || policy.EverySeconds > 0)
            ? policy
            : defaultEvery > TimeSpan.Zero
                ? new CheckpointPolicy { EverySeconds = (int)Math.Ceiling(defaultEvery.TotalSeconds) }
                : new CheckpointPolicy { Disabled = true };

    /// <summary>True when the job trains on a registered dataset version (the submit pinned its version number).</summary>
    public static bool IsRegistered(Job job) =>
        !string.IsNullOrEmpty(job.Spec?.Dataset?.Version) && Sha256Digest.IsValid(job.DatasetDigest);

    /// <summary>SHA-256 of the spec's protobuf bytes as stored (owner and pinned dataset included), <c>sha256:&lt;hex&gt;</c>.</summary>
    public static string SpecDigest(JobSpec spec) => Sha256Digest.OfBytes(spec.ToByteArray());
}
