using MlOps.Contracts;

namespace MlOps.Coordinator.Retraining;

/// <summary>What a run starts from: the deployment, the version it serves to most traffic, and the job that trained it.</summary>
internal sealed record Production(Deployment Deployment, int Version, ModelVersion Model, Job Job)
{
    /// <summary>The dataset production was trained on (the lineage's name, else the job spec's).</summary>
    public string DatasetName => Model.Lineage?.DatasetName is { Length: > 0 } name ? name : Job.Spec?.Dataset?.Name ?? "";
}

internal sealed partial class RetrainingController
{
    /// <exception cref="RetrainingStartException">Nothing to retrain from, with the reason.</exception>
    private async Task<Production> ResolveProductionAsync(RetrainingPolicy policy, CancellationToken cancellationToken)
    {
        var name = RetrainingPolicies.Deployment(policy);
        var deployment = await deployments.GetDeploymentAsync(name, cancellationToken)
            ?? throw new RetrainingStartException($"deployment '{name}' does not exist: deploy model '{policy.Model}' first");
        if (deployment.Spec.Model != policy.Model)
        {
            throw new RetrainingStartException($"deployment '{name}' serves model '{deployment.Spec.Model}', not '{policy.Model}'; set the policy's deployment");
        }

        // The live split, else the newest revision's; production is the version with the larger share.
        var traffic = deployment.Traffic.Count > 0 ? deployment.Traffic : deployment.History.LastOrDefault()?.Traffic;
        var route = traffic?.OrderByDescending(t => t.Percent).ThenBy(t => t.Version).FirstOrDefault()
            ?? throw new RetrainingStartException($"deployment '{name}' routes no traffic yet");
        var version = await registry.GetModelVersionAsync(policy.Model, route.Version, cancellationToken)
            ?? throw new RetrainingStartException($"model '{policy.Model}' has no version {route.Version} (served by deployment '{name}')");
        var jobId = version.Lineage?.JobId ?? "";
        var job = jobId.Length > 0 ? await jobs.GetJobAsync(jobId, cancellationToken) : null;
        if (job?.Spec is null)
        {
            throw new RetrainingStartException(
                $"production v{route.Version} has no training job on record (lineage job '{jobId}'), so there is no spec to retrain it with");
        }

        return new Production(deployment, route.Version, version, job);
    }

    /// <summary>
    /// The production job's spec, on the newest version of its dataset (the version and digest it pinned are cleared,
    /// so the submit resolves the newest), with the policy's hyperparameters over production's, and production as the
    /// baseline the agent compares the result with.
    /// </summary>
    internal static JobSpec RetrainingSpec(Production production, RetrainingPolicy policy)
    {
        var spec = production.Job.Spec.Clone();
        spec.Dataset = new DatasetRef { Name = production.DatasetName };
        spec.HyperParameters = RetrainingPolicies.Apply(spec.HyperParameters, policy.HyperParameters);
        spec.Baseline = new ModelBaseline { Model = policy.Model, Version = production.Version };
        return spec;
    }
}
