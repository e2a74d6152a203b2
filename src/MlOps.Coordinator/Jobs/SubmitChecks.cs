using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Storage;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Everything checked before a job is accepted: the spec on its own (<see cref="JobSpecValidator"/>), the
/// dataset it names (a registered dataset version, resolved to one manifest digest; else the configured catalog:
/// known, readable, with the expected digest), and whether the model fits the dataset (input shape = sample shape,
/// output size = class count), and that a baseline to compare with is a registered version. A command job has no
/// dataset or model: its inputs are checked in the artifact store instead (<see cref="CommandInputChecks"/>). All
/// problems are collected, none short-circuits.
/// </summary>
internal sealed class SubmitChecks(DatasetCatalog catalog, DatasetResolver registered, IRegistryStore models, IArtifactStore artifacts)
{
    /// <summary>The errors, and the checked dataset of a training job (null for a command job, or when it has errors).</summary>
    public async Task<(IReadOnlyList<FieldError> Errors, CheckedDataset? Dataset)> CheckAsync(
        JobSpec spec, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>(JobSpecValidator.Validate(spec));
        if (spec.Command is { } command)
        {
            await new CommandInputChecks(artifacts).CheckAsync(command, errors, cancellationToken);
            return (errors, null);
        }

        var dataset = await InspectDatasetAsync(spec.Dataset, errors, cancellationToken);
        if (dataset is not null && spec.Model is not null)
        {
            CheckModelFits(spec.Model, dataset.Descriptor, errors);
        }

        await CheckBaselineAsync(spec.Baseline, errors, cancellationToken);
        return (errors, dataset);
    }

    /// <summary>A baseline must name a registered version; its input shape is checked by the agent, which reads the model.</summary>
    private async Task CheckBaselineAsync(ModelBaseline? baseline, List<FieldError> errors, CancellationToken cancellationToken)
    {
        if (baseline is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(baseline.Model))
        {
            errors.Add(new FieldError("baseline.model", "is required when a baseline is given"));
        }
        else if (baseline.Version < 1)
        {
            errors.Add(new FieldError("baseline.version", $"must be a registered version number (1 or more), got {baseline.Version}"));
        }
        else if (await models.GetModelVersionAsync(baseline.Model, baseline.Version, cancellationToken) is null)
        {
            errors.Add(new FieldError("baseline.version", $"model '{baseline.Model}' has no version {baseline.Version}"));
        }
    }

    private async Task<CheckedDataset?> InspectDatasetAsync(DatasetRef? reference, List<FieldError> errors, CancellationToken cancellationToken)
    {
        if (reference is null || string.IsNullOrEmpty(reference.Name))
        {
            return null; // Already reported by the validator.
        }

        var resolution = await registered.ResolveAsync(reference, cancellationToken);
        if (resolution.Registered)
        {
            errors.AddRange(resolution.Errors);
            return resolution.Dataset;
        }

        if (!string.IsNullOrEmpty(reference.Version))
        {
            errors.Add(new FieldError("dataset.version",
                $"dataset '{reference.Name}' has no registered versions (push one with 'mlops data push'); a catalog dataset takes no version, got '{reference.Version}'; pin the exact files with dataset.digest"));
        }

        DatasetDescriptor descriptor;
        try
        {
            // Reading and hashing the files can take a moment on first use (later calls hit the catalog's cache).
            descriptor = await Task.Run(() => catalog.Inspect(reference.Name), cancellationToken);
        }
        catch (KeyNotFoundException ex)
        {
            errors.Add(new FieldError("dataset.name", ex.Message + "; no dataset versions are registered under this name either"));
            return null;
        }
        catch (DatasetException ex)
        {
            errors.Add(new FieldError("dataset", $"dataset '{reference.Name}' cannot be used: {ex.Message}"));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(new FieldError("dataset", $"dataset '{reference.Name}' cannot be read: {ex.Message}"));
            return null;
        }

        if (!string.IsNullOrEmpty(reference.Digest) && MlOps.Core.Digests.Sha256Digest.IsValid(reference.Digest) &&
            reference.Digest != descriptor.Digest)
        {
            errors.Add(new FieldError("dataset.digest",
                $"the spec expects {reference.Digest} but dataset '{reference.Name}' at {descriptor.Path} is {descriptor.Digest}"));
        }

        return new CheckedDataset(descriptor, null);
    }

    private static void CheckModelFits(ModelSpec model, DatasetDescriptor dataset, List<FieldError> errors)
    {
        if (model.InputShape.Count > 0 && !model.InputShape.SequenceEqual(dataset.SampleShape))
        {
            errors.Add(new FieldError("model.input_shape",
                $"is [{string.Join(", ", model.InputShape)}] but the samples of dataset '{dataset.Name}' are [{string.Join(", ", dataset.SampleShape)}]"));
        }

        var output = ModelShapes.OutputShape(model);
        if (output is null || (output.Length == 1 && output[0] == dataset.Classes))
        {
            return; // An invalid model is already reported by the validator.
        }

        var lastLinear = model.Layers.Select((layer, index) => (layer, index)).LastOrDefault(l => l.layer.KindCase == Layer.KindOneofCase.Linear);
        var field = lastLinear.layer is null ? "model.layers" : $"model.layers[{lastLinear.index}].linear.out_features";
        errors.Add(new FieldError(field,
            $"the model outputs [{string.Join(", ", output)}] per sample but dataset '{dataset.Name}' has {dataset.Classes} classes; the last linear layer needs out_features: {dataset.Classes}"));
    }
}
