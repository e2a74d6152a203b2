using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Deployments;

/// <summary>A request the deployment API refuses: bad fields (INVALID_ARGUMENT), something missing (NOT_FOUND) or a
/// state that does not allow it (FAILED_PRECONDITION).</summary>
internal sealed class DeploymentException(DeploymentError kind, IReadOnlyList<FieldError> errors)
    : Exception(string.Join("; ", errors))
{
    public DeploymentError Kind { get; } = kind;

    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

internal enum DeploymentError
{
    InvalidArgument,
    NotFound,
    FailedPrecondition,
}

/// <summary>
/// Deploy, rollback and delete: validate, resolve against the registry, append a revision when the resolved split
/// changes, store, and wake the reconciler. The rollout itself is the reconciler's (see <see cref="DeploymentPlanner"/>).
/// </summary>
internal sealed partial class DeploymentCommands(
    IDeploymentStore store,
    DeploymentTargets targets,
    DeploymentReconciler reconciler,
    TimeProvider time,
    ILogger<DeploymentCommands> logger)
{
    public const int MaxReplicas = 64;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelKey();

    public async Task<Deployment> DeployAsync(DeploymentSpec requested, CancellationToken cancellationToken)
    {
        var spec = Normalize(requested);
        Validate(spec);
        await reconciler.Gate.WaitAsync(cancellationToken);
        try
        {
            var split = await targets.ResolveAsync(spec, cancellationToken);
            if (!split.Resolved)
            {
                throw new DeploymentException(DeploymentError.NotFound, [new FieldError($"spec.{split.ProblemField}", split.Problem!)]);
            }

            var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            var existing = await store.GetDeploymentAsync(spec.Name, cancellationToken);
            if (existing is not null && existing.Spec.Model != spec.Model)
            {
                throw new DeploymentException(DeploymentError.FailedPrecondition, [new FieldError("spec.model",
                    $"deployment '{spec.Name}' serves model '{existing.Spec.Model}', not '{spec.Model}'; delete it first or pick another name")]);
            }

            var deployment = existing ?? new Deployment { CreatedAt = now, Phase = DeploymentPhase.Progressing };
            deployment.Spec = spec;
            if (spec.Target.Version == 0 && string.IsNullOrEmpty(spec.Target.Alias))
            {
                spec.Target.Version = split.Traffic[0].Version; // "the newest" is pinned at deploy time
            }

            const string cause = "deploy";
            AppendRevisionIfChanged(deployment, split.Traffic, spec.Canary is { Percent: > 0 } ? $"{cause}, canary {spec.Canary.Percent}%" : cause, now);
            deployment.UpdatedAt = now;
            await store.PutDeploymentAsync(deployment, cancellationToken);
            var wanted = DeploymentPlanner.Describe(deployment.History[^1].Traffic);
            DeploymentLog.Deployed(logger, spec.Name, spec.Model, deployment.Revision, wanted);
            reconciler.Request(force: true);
            return deployment;
        }
        finally
        {
            reconciler.Gate.Release();
        }
    }

    public async Task<Deployment> RollbackAsync(string name, int toRevision, CancellationToken cancellationToken)
    {
        RequireName(name);
        if (toRevision < 0)
        {
            throw new DeploymentException(DeploymentError.InvalidArgument, [new FieldError("to_revision", $"must be a revision number (or 0 for the previous one), got {toRevision}")]);
        }

        await reconciler.Gate.WaitAsync(cancellationToken);
        try
        {
            var deployment = await store.GetDeploymentAsync(name, cancellationToken)
                ?? throw new DeploymentException(DeploymentError.NotFound, [new FieldError("name", $"deployment '{name}' not found")]);
            if (deployment.History.Count < 2 && toRevision == 0)
            {
                throw new DeploymentException(DeploymentError.FailedPrecondition,
                    [new FieldError("name", $"deployment '{name}' has only revision {deployment.Revision}; there is nothing to roll back to")]);
            }

            var target = toRevision == 0
                ? deployment.History[^2]
                : deployment.History.FirstOrDefault(r => r.Revision == toRevision)
                  ?? throw new DeploymentException(DeploymentError.NotFound, [new FieldError("to_revision",
                      $"deployment '{name}' has no revision {toRevision} (revisions {deployment.History[0].Revision}-{deployment.History[^1].Revision})")]);
            if (toRevision == deployment.Revision)
            {
                throw new DeploymentException(DeploymentError.FailedPrecondition, [new FieldError("to_revision", $"revision {toRevision} is the current one")]);
            }

            // Pin what that revision served: a rollback must not follow an alias back to the version just left.
            var ordered = target.Traffic.OrderByDescending(r => r.Percent).ToList();
            deployment.Spec.Target = new ModelTarget { Version = ordered[0].Version };
            deployment.Spec.Canary = ordered.Count > 1
                ? new CanarySpec { Target = new ModelTarget { Version = ordered[1].Version }, Percent = ordered[1].Percent }
                : null;
            var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            AppendRevision(deployment, target.Traffic, $"rollback to revision {target.Revision}", now);
            deployment.UpdatedAt = now;
            await store.PutDeploymentAsync(deployment, cancellationToken);
            var restored = DeploymentPlanner.Describe(target.Traffic);
            DeploymentLog.RolledBack(logger, name, target.Revision, deployment.Revision, restored);
            reconciler.Request(force: true);
            return deployment;
        }
        finally
        {
            reconciler.Gate.Release();
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        RequireName(name);
        await reconciler.Gate.WaitAsync(cancellationToken);
        try
        {
            // Under the gate: a pass that listed the deployment before the delete must not write it back after.
            if (!await store.DeleteDeploymentAsync(name, cancellationToken))
            {
                throw new DeploymentException(DeploymentError.NotFound, [new FieldError("name", $"deployment '{name}' not found")]);
            }
        }
        finally
        {
            reconciler.Gate.Release();
        }

        DeploymentLog.Deleted(logger, name);
        reconciler.Request(force: false);
    }

    /// <summary>Appends a revision when <paramref name="traffic"/> differs from the newest one's; true when it did.</summary>
    public static bool AppendRevisionIfChanged(Deployment deployment, IReadOnlyList<TrafficRoute> traffic, string cause, Timestamp now)
    {
        if (deployment.History.Count > 0 && DeploymentPlanner.SameSplit(deployment.History[^1].Traffic, traffic))
        {
            return false;
        }

        AppendRevision(deployment, traffic, cause, now);
        return true;
    }

    private static void AppendRevision(Deployment deployment, IReadOnlyList<TrafficRoute> traffic, string cause, Timestamp now)
    {
        var revision = new DeploymentRevision { Revision = deployment.Revision + 1, Cause = cause, CreatedAt = now };
        revision.Traffic.AddRange(traffic.Select(t => t.Clone()));
        deployment.History.Add(revision);
        deployment.Revision = revision.Revision;
    }

    private static DeploymentSpec Normalize(DeploymentSpec requested)
    {
        var spec = requested?.Clone() ?? new DeploymentSpec();
        spec.Target ??= new ModelTarget();
        if (string.IsNullOrEmpty(spec.Name))
        {
            spec.Name = spec.Model;
        }

        if (spec.Replicas == 0)
        {
            spec.Replicas = 1;
        }

        if (spec.Canary is { Percent: 0 } && spec.Canary.Target is null)
        {
            spec.Canary = null;
        }

        return spec;
    }

    private static void Validate(DeploymentSpec spec)
    {
        var errors = new List<FieldError>();
        Add(errors, "spec.name", RegistryNames.NameProblem(spec.Name));
        Add(errors, "spec.model", RegistryNames.NameProblem(spec.Model));
        ValidateTarget(errors, "spec.target", spec.Target);
        if (spec.Replicas is < 1 or > MaxReplicas)
        {
            errors.Add(new FieldError("spec.replicas", $"must be 1-{MaxReplicas}, got {spec.Replicas}"));
        }

        foreach (var (key, value) in spec.AgentSelector)
        {
            if (!LabelKey().IsMatch(key) || value.Length > 63)
            {
                errors.Add(new FieldError($"spec.agent_selector[{key}]", "keys are 1-63 letters, digits, '.', '_', '-' or '/'; values at most 63 characters"));
            }
        }

        if (spec.Canary is { } canary)
        {
            if (canary.Percent is < 1 or > 99)
            {
                errors.Add(new FieldError("spec.canary.percent", $"must be 1-99, got {canary.Percent}"));
            }

            if (canary.Target is null || (canary.Target.Version == 0 && string.IsNullOrEmpty(canary.Target.Alias)))
            {
                errors.Add(new FieldError("spec.canary.target", "name the candidate by version or alias"));
            }
            else
            {
                ValidateTarget(errors, "spec.canary.target", canary.Target);
            }
        }

        if (errors.Count > 0)
        {
            throw new DeploymentException(DeploymentError.InvalidArgument, errors);
        }
    }

    private static void ValidateTarget(List<FieldError> errors, string field, ModelTarget target)
    {
        if (target.Version < 0)
        {
            errors.Add(new FieldError($"{field}.version", $"must be positive, got {target.Version}"));
        }

        if (target.Version > 0 && !string.IsNullOrEmpty(target.Alias))
        {
            errors.Add(new FieldError(field, $"set either version ({target.Version}) or alias ('{target.Alias}'), not both"));
        }
        else if (!string.IsNullOrEmpty(target.Alias))
        {
            Add(errors, $"{field}.alias", RegistryNames.AliasProblem(target.Alias));
        }
    }

    private static void RequireName(string name)
    {
        if (RegistryNames.NameProblem(name) is { } problem)
        {
            throw new DeploymentException(DeploymentError.InvalidArgument, [new FieldError("name", problem)]);
        }
    }

    private static void Add(List<FieldError> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            errors.Add(new FieldError(field, problem));
        }
    }
}
