using MlOps.Contracts;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Registry;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Running;
using MlOps.Pipelines.Specs;

namespace MlOps.Coordinator.Pipelines;

internal sealed partial class CoordinatorStepExecutor
{
    /// <summary>Format a prepared dataset is registered with: the built-in prepare writes the MNIST files it read.</summary>
    public const string PreparedFormat = "mnist-idx";

    /// <summary>
    /// Runs a prepare, evaluate or command step as a command job on an agent (docs/agent-protocol.md, Command jobs): its
    /// inputs become the job's inputs (fetched and verified by the agent), its declared outputs the directories the
    /// agent pushes afterwards. A prepare step's dataset is pushed to <c>datasets/NAME</c> and registered as a version
    /// of NAME, so later steps (and people) can train on it like any dataset version.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, ResolvedArtifact>> CommandJobAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var step = execution.Step;
        var preparedDataset = step.Kind == StepKind.Prepare ? PreparedName(execution) : null;
        var command = new CommandSpec
        {
            OutputRepository = preparedDataset is null
                ? $"pipelines/{execution.PipelineName}/{step.Name}"
                : RegistryNames.DatasetRepository(preparedDataset),
        };
        command.Outputs.Add(step.Outputs);
        foreach (var (name, input) in execution.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            command.Inputs.Add(Input(name, input));
        }

        switch (step.Kind)
        {
            case StepKind.Prepare:
            case StepKind.Evaluate:
                command.Builtin = step.Kind == StepKind.Prepare ? BuiltinSteps.Prepare : BuiltinSteps.Evaluate;
                foreach (var entry in step.Params.Entries.Where(e => e.Key is not ("dataset" or "resources") && e.Value is ScalarValue))
                {
                    command.Params[entry.Key] = ((ScalarValue)entry.Value).Text;
                }

                break;
            default:
                command.Argv.Add(TextList(execution, "command"));
                foreach (var (key, value) in TextMap(execution, "env"))
                {
                    command.Env[key] = value;
                }

                if (execution.Code is { } code && !execution.Inputs.ContainsKey("code"))
                {
                    command.Inputs.Add(Input("code", code));
                }

                break;
        }

        var spec = new JobSpec
        {
            Name = JobName(execution),
            Command = command,
            Resources = Resources(execution),
        };
        Job job;
        try
        {
            job = await submitter.SubmitAsync(spec, runs.Owner(execution.RunId), cancellationToken);
        }
        catch (SpecValidationException ex)
        {
            throw new PipelineStepException($"the command job was refused: {ex.Message}");
        }

        runs.RecordJob(execution.RunId, step.Name, job.Id);
        Note(execution, $"command job {job.Id} submitted");
        job = await WaitForJobAsync(execution, job, cancellationToken);
        if (job.State != JobState.Succeeded)
        {
            var reason = job.FailureReason.Length > 0 ? job.FailureReason : "no reason given";
            throw new PipelineStepException($"job {job.Id} ended {job.State.ToString().ToUpperInvariant()}: {reason}");
        }

        var pushed = (job.Result?.Outputs ?? []).ToDictionary(o => o.Name, StringComparer.Ordinal);
        var outputs = new Dictionary<string, ResolvedArtifact>(StringComparer.Ordinal);
        foreach (var name in step.Outputs)
        {
            if (!pushed.TryGetValue(name, out var output))
            {
                throw new PipelineStepException($"job {job.Id} succeeded but pushed no output '{name}'");
            }

            outputs[name] = preparedDataset is not null && name == BuiltinSteps.DatasetOutput
                ? await RegisterPreparedAsync(execution, preparedDataset, output, cancellationToken)
                : new ResolvedArtifact($"artifact:{output.Repository}@{output.ManifestDigest}", output.ManifestDigest);
        }

        return outputs;
    }

    private async Task<ResolvedArtifact> RegisterPreparedAsync(StepExecution execution, string name, CommandOutput output, CancellationToken cancellationToken)
    {
        try
        {
            var version = await registrar.CreateAsync(name, output.ManifestDigest, PreparedFormat, cancellationToken);
            Note(execution, $"prepared dataset is {name}@{version.Version}");
            return CoordinatorArtifactResolver.Dataset(version);
        }
        catch (DatasetRegistrationException ex)
        {
            throw new PipelineStepException($"the prepared files are not a valid dataset: {ex.Message}");
        }
    }

    /// <summary><c>params.dataset</c>, or PIPELINE-STEP.</summary>
    private static string PreparedName(StepExecution execution)
    {
        var name = Text(execution, "dataset") is { Length: > 0 } given ? given : $"{execution.PipelineName}-{execution.Step.Name}";
        return RegistryNames.NameProblem(name) is { } problem ? throw new PipelineStepException($"params.dataset: {problem}") : name;
    }

    private static CommandInput Input(string name, ResolvedArtifact artifact)
    {
        if (!ArtifactReference.TryParse(artifact.Reference, out var reference, out _))
        {
            throw new PipelineStepException($"input '{name}' is not an artifact reference: {artifact.Reference}");
        }

        return new CommandInput
        {
            Name = name,
            Kind = reference.Type,
            Repository = reference.Type switch
            {
                "dataset" => RegistryNames.DatasetRepository(reference.Name),
                "model" => RegistryNames.ModelRepository(reference.Name),
                _ => reference.Name,
            },
            ManifestDigest = artifact.Digest,
        };
    }

    /// <summary>PIPELINE-STEP, cut to the 63 characters a job name may have.</summary>
    private static string JobName(StepExecution execution)
    {
        var name = $"{execution.PipelineName}-{execution.Step.Name}";
        return name.Length <= 63 ? name : name[..63].TrimEnd('-', '.', '_');
    }

    private static Resources Resources(StepExecution execution)
    {
        var resources = new Resources { CpuCores = 1 };
        if (execution.Step.Params["resources"] is not MapValue map)
        {
            return resources;
        }

        foreach (var (key, value) in map.Entries)
        {
            if (value is not ScalarValue { Text: var text })
            {
                continue;
            }

            switch (key)
            {
                case "cpu_cores": resources.CpuCores = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture); break;
                case "memory_mb": resources.MemoryMb = long.Parse(text, System.Globalization.CultureInfo.InvariantCulture); break;
                case "gpus": resources.Gpus = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture); break;
                case "gpu_memory_mb": resources.GpuMemoryMb = long.Parse(text, System.Globalization.CultureInfo.InvariantCulture); break;
                case "gpu_model": resources.GpuModel = text; break;
            }
        }

        return resources;
    }
}
