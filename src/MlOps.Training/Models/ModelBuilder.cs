using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Training.Native;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlOps.Training.Models;

/// <summary>
/// Builds a TorchSharp <see cref="nn.Module{Tensor, Tensor}"/> stack from a <see cref="ModelSpec"/>.
/// Layer <c>i</c> of the spec becomes the child module named <c>"i"</c> (as PyTorch's <c>Sequential</c> names
/// them), so saved weights have stable names such as <c>0.weight</c> and <c>0.bias</c> that map back to
/// <c>model.layers[0]</c>; the ONNX exporter reads the same names.
/// </summary>
public static class ModelBuilder
{
    /// <summary>Builds the whole model, a trailing softmax included (what the exported ONNX model computes).</summary>
    /// <inheritdoc cref="Build(ModelSpec, ModelOutput)"/>
    public static Sequential Build(ModelSpec model) => Build(model, ModelOutput.AsSpecified);

    /// <summary>Builds the model with freshly initialised parameters (drawn from torch's global generator; call
    /// <c>torch.manual_seed</c> first for reproducible weights).</summary>
    /// <param name="model">The spec.</param>
    /// <param name="output"><see cref="ModelOutput.Logits"/> leaves out a trailing softmax, for training with
    /// cross-entropy; the parameter and buffer names are the same either way.</param>
    /// <exception cref="ArgumentException">The spec is invalid; the message names every offending field
    /// (<c>model.input_shape</c>, <c>model.layers[i]</c>, ...).</exception>
    public static Sequential Build(ModelSpec model, ModelOutput output)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plan = Plan(model);
        var count = output == ModelOutput.Logits && EndsInSoftmax(model) ? plan.Count - 1 : plan.Count;
        TorchSharpLoader.EnsureLoaded();
        var modules = new (string, nn.Module<Tensor, Tensor>)[count];
        for (var i = 0; i < count; i++)
        {
            modules[i] = (i.ToString(System.Globalization.CultureInfo.InvariantCulture), plan[i]());
        }

        return nn.Sequential(modules);
    }

    /// <summary>True when the spec's last layer is a softmax (its output is probabilities, not logits).</summary>
    public static bool EndsInSoftmax(ModelSpec model) =>
        model.Layers.Count > 0 && model.Layers[^1].KindCase == Layer.KindOneofCase.Softmax;

    /// <summary>
    /// Checks the spec with the same rules as submit-time validation (<see cref="JobSpecValidator"/>) and infers every
    /// layer's input shape with <see cref="ModelShapes"/>; returns one factory per layer. No torch calls.
    /// </summary>
    internal static IReadOnlyList<Func<nn.Module<Tensor, Tensor>>> Plan(ModelSpec model)
    {
        var errors = JobSpecValidator.Validate(new JobSpec { Model = model })
            .Where(e => e.Field == "model" || e.Field.StartsWith("model.", StringComparison.Ordinal))
            .ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid model spec: {string.Join("; ", errors)}", nameof(model));
        }

        var factories = new List<Func<nn.Module<Tensor, Tensor>>>(model.Layers.Count);
        var prefix = new ModelSpec { InputShape = { model.InputShape } };
        long[] shape = [.. model.InputShape];
        foreach (var layer in model.Layers)
        {
            factories.Add(LayerModules.Factory(layer, shape));
            prefix.Layers.Add(layer);

            // Core's shape rules on the prefix: the builder, the validator and the exporter agree by construction.
            shape = ModelShapes.OutputShape(prefix) ?? throw new InvalidOperationException("a validated spec has no shape");
        }

        return factories;
    }
}
