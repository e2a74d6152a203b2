using System.Globalization;
using MlOps.Cli.Datasets;
using MlOps.Cli.Output;
using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Models;

/// <summary>How model versions read in tables and the lineage block.</summary>
internal static class ModelText
{
    /// <summary><c>fashion-mlp:3</c>.</summary>
    public static string Reference(ModelVersion version) => $"{version.Model}:{version.Version.ToString(CultureInfo.InvariantCulture)}";

    public static string Aliases(IEnumerable<string> aliases) =>
        string.Join(", ", aliases.Order(StringComparer.Ordinal)) is { Length: > 0 } joined ? joined : Display.None;

    /// <summary>test_accuracy first, then the rest by name, as <c>name=value</c> pairs.</summary>
    public static string OtherMetrics(ModelVersion version) =>
        string.Join(' ', FinalReport.OrderedMetrics(version.Metrics)
            .Where(m => m.Name != FinalReport.TestAccuracy)
            .Select(m => $"{m.Name}={Display.Metric(m.Name, m.Value)}")) is { Length: > 0 } joined ? joined : Display.None;

    public static string TestAccuracy(ModelVersion version) =>
        version.Metrics.TryGetValue(FinalReport.TestAccuracy, out var accuracy) ? Display.Number(accuracy) : Display.None;

    public static string Dataset(Lineage? lineage) =>
        lineage is null ? Display.None : DatasetText.Reference(lineage.DatasetName, lineage.DatasetVersion);

    /// <summary>Everything the registry knows about one version: its bytes, metrics and full lineage.</summary>
    public static KeyValueWriter Describe(ModelVersion version)
    {
        var lineage = version.Lineage ?? new Lineage();
        var details = new KeyValueWriter()
            .Add("model", Reference(version))
            .Add("aliases", Aliases(version.Aliases))
            .Add("created", Display.Time(version.CreatedAt))
            .Add("repository", Or(version.Repository))
            .Add("manifest digest", Or(version.ManifestDigest))
            .Add("onnx digest", Or(version.OnnxDigest))
            .Add("onnx size", Display.Integer(version.OnnxBytes) + " bytes")
            .Add("metrics", version.Metrics.Count == 0 ? Display.None : "");
        foreach (var (name, value) in FinalReport.OrderedMetrics(version.Metrics))
        {
            details.Add("  " + name, Display.Metric(name, value));
        }

        return details
            .Add("lineage", "")
            .Add("  dataset", Dataset(lineage))
            .Add("  dataset digest", Or(lineage.DatasetDigest))
            .Add("  job", Or(lineage.JobId))
            .Add("  job spec digest", Or(lineage.JobSpecDigest))
            .Add("  seed", Display.Integer(lineage.Seed))
            .Add("  code version", Or(lineage.CodeVersion))
            .Add("  torchsharp", Or(lineage.TorchsharpVersion))
            .Add("  onnx runtime", Or(lineage.OnnxruntimeVersion))
            .Add("  onnx digest", Or(lineage.OnnxDigest))
            .Add("  opset", lineage.Opset == 0 ? Display.None : Display.Integer(lineage.Opset))
            .Add("  ir version", lineage.IrVersion == 0 ? Display.None : Display.Integer(lineage.IrVersion));
    }

    private static string Or(string value) => string.IsNullOrEmpty(value) ? Display.None : value;
}
