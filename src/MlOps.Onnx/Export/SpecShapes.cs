using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Onnx;

/// <summary>The spec checked by Core's validator, and the per-sample shape before every layer.</summary>
internal static class SpecShapes
{
    /// <summary>Every problem Core's submit-time validation finds in the model (field paths start with <c>model</c>).</summary>
    public static IReadOnlyList<FieldError> Errors(ModelSpec model) =>
        [.. JobSpecValidator.Validate(new JobSpec { Model = model })
            .Where(e => e.Field == "model" || e.Field.StartsWith("model.", StringComparison.Ordinal))];

    /// <summary>
    /// <c>shapes[i]</c> is the input of layer <c>i</c>; <c>shapes[^1]</c> the model's output. Computed by Core's
    /// <see cref="ModelShapes"/> on each prefix of the layers, so exporter and validator cannot disagree (quadratic
    /// in the layer count, which is at most <see cref="JobSpecValidator.MaxLayers"/>).
    /// </summary>
    public static long[][] Before(ModelSpec model)
    {
        var shapes = new long[model.Layers.Count + 1][];
        shapes[0] = [.. model.InputShape];
        var prefix = new ModelSpec { InputShape = { model.InputShape } };
        for (var i = 0; i < model.Layers.Count; i++)
        {
            prefix.Layers.Add(model.Layers[i]);
            shapes[i + 1] = ModelShapes.OutputShape(prefix)
                ?? throw new OnnxExportException($"layer at position {i} cannot take its input {WeightTensor.Describe(shapes[i])}");
        }

        return shapes;
    }
}
