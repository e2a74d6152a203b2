using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Deployments;

/// <summary>The traffic split a spec asks for now, or why it cannot be resolved (field and message).</summary>
internal sealed record ResolvedSplit(IReadOnlyList<TrafficRoute> Traffic, string? ProblemField, string? Problem)
{
    public bool Resolved => Problem is null;
}

/// <summary>
/// Resolves a deployment spec against the registry: the stable target (version, alias, or the newest version) and
/// the canary's, into a split such as <c>v2 90% + v3 10%</c>.
/// </summary>
internal sealed class DeploymentTargets(IRegistryStore registry)
{
    public async Task<ResolvedSplit> ResolveAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        var (stable, stableProblem) = await ResolveAsync(spec.Model, spec.Target, "target", cancellationToken);
        if (stableProblem is not null)
        {
            return new ResolvedSplit([], "target", stableProblem);
        }

        if (spec.Canary is not { Percent: > 0 } canary)
        {
            return new ResolvedSplit([new TrafficRoute { Version = stable, Percent = 100 }], null, null);
        }

        var (candidate, canaryProblem) = await ResolveAsync(spec.Model, canary.Target, "canary.target", cancellationToken);
        if (canaryProblem is not null)
        {
            return new ResolvedSplit([], "canary.target", canaryProblem);
        }

        return candidate == stable
            ? new ResolvedSplit([new TrafficRoute { Version = stable, Percent = 100 }], null, null)
            : new ResolvedSplit(
                [new TrafficRoute { Version = stable, Percent = 100 - canary.Percent }, new TrafficRoute { Version = candidate, Percent = canary.Percent }],
                null, null);
    }

    /// <summary>The registry records of the given versions that exist.</summary>
    public async Task<Dictionary<int, ModelVersion>> RecordsAsync(string model, IEnumerable<int> versions, CancellationToken cancellationToken)
    {
        var records = new Dictionary<int, ModelVersion>();
        foreach (var number in versions.Distinct())
        {
            if (await registry.GetModelVersionAsync(model, number, cancellationToken) is { } record)
            {
                records[number] = record;
            }
        }

        return records;
    }

    private async Task<(int Version, string? Problem)> ResolveAsync(string model, ModelTarget? target, string field, CancellationToken cancellationToken)
    {
        target ??= new ModelTarget();
        if (!string.IsNullOrEmpty(target.Alias))
        {
            var byAlias = await registry.GetModelVersionByAliasAsync(model, target.Alias, cancellationToken);
            return byAlias is null ? (0, $"model '{model}' has no alias '{target.Alias}'") : (byAlias.Version, null);
        }

        if (target.Version > 0)
        {
            var byNumber = await registry.GetModelVersionAsync(model, target.Version, cancellationToken);
            return byNumber is null ? (0, $"model '{model}' has no version {target.Version}") : (byNumber.Version, null);
        }

        var versions = await registry.ListModelVersionsAsync(model, cancellationToken);
        return versions is [.., var newest] ? (newest.Version, null) : (0, $"model '{model}' has no registered versions ({field})");
    }
}
