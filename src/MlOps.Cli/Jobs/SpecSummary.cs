using System.Globalization;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Jobs;

/// <summary>One-line summaries of the parts of a <see cref="JobSpec"/>, for <c>mlops job</c>.</summary>
internal static class SpecSummary
{
    public static string Dataset(DatasetRef? dataset)
    {
        if (dataset is null)
        {
            return Display.None;
        }

        var text = string.IsNullOrEmpty(dataset.Version) ? dataset.Name : $"{dataset.Name}@{dataset.Version}";
        return string.IsNullOrEmpty(dataset.Digest) ? text : $"{text} (expects {dataset.Digest})";
    }

    /// <summary><c>[1, 28, 28] -> flatten -> linear(128) -> relu -> dropout(0.2) -> linear(10)</c></summary>
    public static string Model(ModelSpec? model)
    {
        if (model is null)
        {
            return Display.None;
        }

        var parts = new List<string> { "[" + string.Join(", ", model.InputShape.Select(Display.Integer)) + "]" };
        parts.AddRange(model.Layers.Select(Layer));
        return string.Join(" -> ", parts);
    }

    public static string Training(HyperParameters? hp)
    {
        if (hp is null)
        {
            return Display.None;
        }

        var parts = new List<string>
        {
            hp.Optimizer.ToString().ToLowerInvariant(),
            "lr " + Plain(hp.LearningRate),
            "batch " + Display.Integer(hp.BatchSize),
            "epochs " + Display.Integer(hp.Epochs),
        };
        if (hp.Momentum > 0)
        {
            parts.Add("momentum " + Plain(hp.Momentum));
        }

        if (hp.WeightDecay > 0)
        {
            parts.Add("weight decay " + Plain(hp.WeightDecay));
        }

        return string.Join(", ", parts);
    }

    public static string Resources(Resources? resources) => resources is null
        ? Display.None
        : $"{Display.Integer(Math.Max(resources.CpuCores, 1))} cpu, " +
          (resources.MemoryMb > 0 ? Display.Memory(resources.MemoryMb) : "no memory reservation") +
          $", {Display.Integer(resources.Gpus)} gpu";

    private static string Layer(Layer layer) => layer.KindCase switch
    {
        Contracts.Layer.KindOneofCase.Linear => $"linear({Display.Integer(layer.Linear.OutFeatures)}{(layer.Linear.NoBias ? ", no bias" : "")})",
        Contracts.Layer.KindOneofCase.Activation => layer.Activation.Kind.ToString().ToLowerInvariant(),
        Contracts.Layer.KindOneofCase.Dropout => $"dropout({Plain(layer.Dropout.P)})",
        Contracts.Layer.KindOneofCase.Flatten => "flatten",
        _ => "?",
    };

    private static string Plain(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
