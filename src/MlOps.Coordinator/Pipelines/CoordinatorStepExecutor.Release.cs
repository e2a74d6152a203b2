using System.Globalization;
using MlOps.Contracts;
using MlOps.Coordinator.Deployments;
using MlOps.Coordinator.Registry;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

internal sealed partial class CoordinatorStepExecutor
{
    /// <summary>Points the step's <c>aliases</c> at the <c>model</c> input's version (of the model <c>params.model</c> names).</summary>
    private async Task<ResolvedArtifact> RegisterAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (model, number, input) = Versioned(execution, "model", "model");
        var expected = Text(execution, "model");
        if (expected != model)
        {
            throw new PipelineStepException($"params.model is '{expected}' but the input is a version of model '{model}' ({input.Reference})");
        }

        var aliases = TextList(execution, "aliases");
        var problems = aliases.Select(a => RegistryNames.AliasProblem(a) is { } problem ? $"aliases: {problem}" : null).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            throw new PipelineStepException(string.Join("; ", problems));
        }

        var version = await registry.GetModelVersionAsync(model, number, cancellationToken);
        if (version is null || version.ManifestDigest != input.Digest)
        {
            throw new PipelineStepException($"{input.Reference} is not a registered model version with digest {input.Digest}");
        }

        foreach (var alias in aliases)
        {
            _ = await registry.SetAliasAsync(model, alias, number, cancellationToken)
                ?? throw new PipelineStepException($"{input.Reference} disappeared while alias '{alias}' was set");
        }

        if (aliases.Count > 0)
        {
            Note(execution, $"{string.Join(", ", aliases)} -> {input.Reference}");
        }

        return CoordinatorArtifactResolver.Model(version);
    }

    /// <summary>
    /// Deploys the <c>model</c> input's version (<c>name</c>, default the model's name; <c>replicas</c> and
    /// <c>agent_selector</c>, default those of the existing deployment) and waits until the new revision is AVAILABLE.
    /// With <c>canary_percent</c> the version becomes the canary of the existing deployment instead.
    /// </summary>
    private async Task<ResolvedArtifact> DeployAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (model, number, input) = Versioned(execution, "model", "model");
        var name = Text(execution, "name") ?? model;
        var existing = await deployments.GetDeploymentAsync(name, cancellationToken);
        DeploymentSpec spec;
        if (Integer(execution, "canary_percent") is { } percent)
        {
            spec = existing?.Spec.Clone()
                ?? throw new PipelineStepException($"canary_percent needs an existing deployment '{name}' to canary on; deploy a first version without it");
            spec.Canary = new CanarySpec { Target = new ModelTarget { Version = number }, Percent = (int)percent };
        }
        else
        {
            spec = new DeploymentSpec { Name = name, Model = model, Target = new ModelTarget { Version = number } };
            if (existing is not null)
            {
                spec.Replicas = existing.Spec.Replicas;
                spec.AgentSelector.Add(existing.Spec.AgentSelector);
            }
        }

        if (Integer(execution, "replicas") is { } replicas)
        {
            spec.Replicas = (int)replicas;
        }

        var selector = TextMap(execution, "agent_selector");
        if (selector.Count > 0)
        {
            spec.AgentSelector.Clear();
            foreach (var (key, value) in selector)
            {
                spec.AgentSelector[key] = value;
            }
        }

        Deployment deployed;
        try
        {
            deployed = await deploy.DeployAsync(spec, cancellationToken);
        }
        catch (DeploymentException ex)
        {
            throw new PipelineStepException($"deployment '{name}' refused the change: {ex.Message}");
        }

        Note(execution, $"deployment {name} revision {deployed.Revision.ToString(CultureInfo.InvariantCulture)} serves {input.Reference}; waiting for it");
        await WaitUntilAvailableAsync(deployed, cancellationToken);
        return input;
    }

    private async Task WaitUntilAvailableAsync(Deployment deployed, CancellationToken cancellationToken)
    {
        var name = deployed.Spec.Name;
        var deadline = time.GetUtcNow() + options.Value.DeployTimeout;
        while (true)
        {
            var live = reconciler.Live(name);
            var current = live is not null && live.Revision == deployed.Revision && live.Spec.Equals(deployed.Spec) ? live : null;
            switch (current?.Phase)
            {
                case DeploymentPhase.Available:
                    return;
                case DeploymentPhase.Failed:
                    throw new PipelineStepException($"deployment '{name}' revision {deployed.Revision.ToString(CultureInfo.InvariantCulture)} failed: {current.Message}");
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new PipelineStepException(
                    $"deployment '{name}' revision {deployed.Revision.ToString(CultureInfo.InvariantCulture)} was not AVAILABLE within {options.Value.DeployTimeout} " +
                    $"({PipelineOptions.SectionName}:DeployTimeout): {current?.Message ?? live?.Message ?? "no replica reported yet"}");
            }

            await Task.Delay(options.Value.PollInterval, time, cancellationToken);
        }
    }
}
