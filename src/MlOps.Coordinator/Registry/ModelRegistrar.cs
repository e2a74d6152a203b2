using MlOps.Artifacts;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;

namespace MlOps.Coordinator.Registry;

/// <summary>
/// Turns a succeeded job's model artifact into a model version. <see cref="PrepareAsync"/> reads the manifest and
/// config from the store before the job's transition (which must not do I/O) and builds the draft; the store numbers
/// it in the transaction that marks the job SUCCEEDED; <see cref="TagAsync"/> then points <c>v&lt;N&gt;</c> at the
/// manifest. Lineage the coordinator knows itself (job, spec digest, seed, dataset) comes from the job record; what
/// only the trainer knows (code and library versions, opset) from the artifact's config.
/// </summary>
internal sealed class ModelRegistrar(IArtifactStore store, ILogger<ModelRegistrar> logger)
{
    /// <summary>Null when there is nothing to register (not a success, no model artifact in the result, or a command job:
    /// its outputs are artifacts of a pipeline step, which the pipeline registers if it wants to).</summary>
    public async Task<ModelRegistrationPlan?> PrepareAsync(Job job, JobCompleted completed, CancellationToken cancellationToken)
    {
        var result = completed.Result;
        if (completed.Outcome != JobOutcome.Succeeded || result is null || job.Spec.Command is not null || string.IsNullOrEmpty(result.ModelManifestDigest))
        {
            return null;
        }

        var model = job.Spec.Name;
        var expected = RegistryNames.ModelRepository(model);
        var repository = string.IsNullOrEmpty(result.ModelRepository) ? expected : result.ModelRepository;
        var plan = repository != expected
            ? ModelRegistrationPlan.Failed($"the model was pushed to '{repository}', but models of job '{model}' belong in '{expected}'")
            : await ReadAsync(job, repository, result, cancellationToken);
        if (plan.Failure is { } failure)
        {
            RegistryLog.RegistrationFailed(logger, job.Id, failure);
        }

        return plan;
    }

    /// <summary>Tags the registered manifest <c>v&lt;N&gt;</c>; the database is the source of truth, so a failure is logged, not thrown.</summary>
    public async Task TagAsync(ModelVersion registered, CancellationToken cancellationToken)
    {
        var tag = RegistryNames.VersionTag(registered.Version);
        try
        {
            var manifest = await store.GetManifestAsync(registered.Repository, registered.ManifestDigest, cancellationToken);
            await store.PushManifestAsync(registered.Repository, manifest.Bytes, manifest.MediaType, tag, cancellationToken);
        }
        catch (Exception ex) when (ex is ArtifactException or ArgumentException or IOException)
        {
            RegistryLog.TagFailed(logger, registered.Model, registered.Version, registered.Repository, registered.ManifestDigest, tag, ex.Message);
        }
    }

    private async Task<ModelRegistrationPlan> ReadAsync(Job job, string repository, JobResult result, CancellationToken cancellationToken)
    {
        var where = $"{repository}@{result.ModelManifestDigest}";
        OciManifest manifest;
        ModelArtifactConfig config;
        string digest;
        try
        {
            (digest, manifest, config) = await store.ReadModelAsync(repository, result.ModelManifestDigest, cancellationToken);
        }
        catch (ArtifactNotFoundException ex)
        {
            return ModelRegistrationPlan.Failed($"the model artifact {where} is not in the artifact store ({ex.Message})");
        }
        catch (Exception ex) when (ex is ArtifactException or ArgumentException)
        {
            return ModelRegistrationPlan.Failed($"the model artifact {where} cannot be read: {ex.Message}");
        }

        var onnx = manifest.Layers.Where(l => l.MediaType == OciMediaTypes.OnnxModel).ToList();
        if (onnx.Count != 1)
        {
            return ModelRegistrationPlan.Failed($"the model artifact {where} has {onnx.Count} ONNX layers; a model has exactly one");
        }

        var recorded = config.Lineage ?? new ModelLineage();
        if (!string.IsNullOrEmpty(recorded.JobId) && recorded.JobId != job.Id)
        {
            return ModelRegistrationPlan.Failed($"the model artifact {where} was trained by job '{recorded.JobId}', not by this job");
        }

        var draft = new ModelVersion
        {
            Model = job.Spec.Name,
            Repository = repository,
            ManifestDigest = digest,
            OnnxDigest = onnx[0].Digest,
            OnnxBytes = onnx[0].Size,
            Lineage = new Lineage
            {
                DatasetName = job.Spec.Dataset?.Name ?? "",
                DatasetVersion = job.Spec.Dataset?.Version ?? "",
                DatasetDigest = job.DatasetDigest,
                JobId = job.Id,
                JobSpecDigest = JobAssignments.SpecDigest(job.Spec),
                Seed = job.Spec.Seed,
                CodeVersion = recorded.CodeVersion ?? "",
                TorchsharpVersion = recorded.TorchSharpVersion ?? "",
                OnnxruntimeVersion = recorded.OnnxRuntimeVersion ?? "",
                OnnxDigest = onnx[0].Digest,
                Opset = recorded.Opset ?? 0,
                IrVersion = recorded.IrVersion ?? 0,
            },
        };

        // The artifact's metrics are the ones that travel with the model; the job's final metrics stand in for an
        // artifact that recorded none.
        draft.Metrics.Add(config.Metrics is { Count: > 0 } ? config.Metrics.ToDictionary() : result.Metrics.ToDictionary());
        return ModelRegistrationPlan.Register(draft);
    }
}
