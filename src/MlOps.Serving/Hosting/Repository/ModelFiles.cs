using System.Text.Json;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting.Repository;

/// <summary>
/// The files of one version on disk: the ONNX file, and from a pulled model directory's <c>config.json</c> the
/// digest recorded at push (<c>lineage.onnxDigest</c>) and the signature, which must match what ONNX Runtime reads.
/// </summary>
internal sealed record ModelFiles(string OnnxPath, string? ConfigDigest, IReadOnlyList<TensorSpec>? Inputs, IReadOnlyList<TensorSpec>? Outputs)
{
    public const string OnnxFileName = "model.onnx";
    public const string ConfigFileName = "config.json";

    /// <exception cref="InferenceException">NotFound when the path or model.onnx is missing; Internal when config.json is malformed.</exception>
    public static ModelFiles Resolve(string path, string name, string version)
    {
        if (File.Exists(path))
        {
            return new ModelFiles(path, null, null, null);
        }

        if (!Directory.Exists(path))
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' version '{version}': {path} does not exist");
        }

        var onnx = System.IO.Path.Combine(path, OnnxFileName);
        if (!File.Exists(onnx))
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' version '{version}': {path} has no {OnnxFileName}");
        }

        var config = System.IO.Path.Combine(path, ConfigFileName);
        if (!File.Exists(config))
        {
            return new ModelFiles(onnx, null, null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            var root = document.RootElement;
            string? digest = null;
            if (root.TryGetProperty("lineage", out var lineage) && lineage.TryGetProperty("onnxDigest", out var value) && value.ValueKind == JsonValueKind.String)
            {
                digest = value.GetString();
            }

            IReadOnlyList<TensorSpec>? inputs = null, outputs = null;
            if (root.TryGetProperty("signature", out var signature))
            {
                inputs = Tensors(signature, "inputs");
                outputs = Tensors(signature, "outputs");
            }

            return new ModelFiles(onnx, digest, inputs, outputs);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"model '{name}' version '{version}': {config} is not a valid model config: {ex.Message}", ex);
        }
    }

    /// <summary>Every difference between the config's signature and the session's; empty when they agree or there is no config.</summary>
    public IReadOnlyList<string> Mismatches(ModelDescriptor descriptor)
    {
        var problems = new List<string>();
        Compare("input", Inputs, descriptor.Inputs, problems);
        Compare("output", Outputs, descriptor.Outputs, problems);
        return problems;
    }

    private static void Compare(string kind, IReadOnlyList<TensorSpec>? declared, IReadOnlyList<TensorSpec> actual, List<string> problems)
    {
        if (declared is null)
        {
            return;
        }

        foreach (var spec in declared)
        {
            var match = actual.FirstOrDefault(a => a.Name == spec.Name);
            if (match is null)
            {
                problems.Add($"config.json declares {kind} '{spec.Name}', the ONNX file has {string.Join(", ", actual.Select(a => a.Name))}");
            }
            else if (match.DataType != spec.DataType || !ShapesAgree(spec.Shape, match.Shape))
            {
                problems.Add($"{kind} '{spec.Name}': config.json says {spec.DataType} [{string.Join(",", spec.Shape)}], the ONNX file {match.DataType} [{string.Join(",", match.Shape)}]");
            }
        }

        foreach (var spec in actual.Where(a => declared.All(d => d.Name != a.Name)))
        {
            problems.Add($"the ONNX file has {kind} '{spec.Name}', which config.json does not declare");
        }
    }

    private static bool ShapesAgree(long[] declared, long[] actual) =>
        declared.Length == actual.Length && declared.Zip(actual).All(p => p.First == p.Second || p.First < 0 || p.Second < 0);

    private static List<TensorSpec> Tensors(JsonElement signature, string property)
    {
        var tensors = new List<TensorSpec>();
        if (!signature.TryGetProperty(property, out var list))
        {
            return tensors;
        }

        foreach (var tensor in list.EnumerateArray())
        {
            var dataType = tensor.GetProperty("dataType").GetString() ?? "";
            tensors.Add(new TensorSpec(
                tensor.GetProperty("name").GetString() ?? "",
                TensorTypes.FromSignatureName(dataType) ?? dataType,
                [.. tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())]));
        }

        return tensors;
    }
}
