namespace MlOps.Onnx;

/// <summary>
/// The weights handed to the exporter, looked up by state-dict name with the shape the layer needs. Tracks which
/// were used so that a weight no layer takes (a sign the weights belong to another model) fails the export.
/// </summary>
internal sealed class WeightSet(IReadOnlyDictionary<string, WeightTensor> weights)
{
    /// <summary>BatchNorm's integer step counter: state-dict entry, not needed for inference.</summary>
    private const string StepCounterSuffix = ".num_batches_tracked";

    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public WeightTensor Require(string name, int layer, params long[] shape)
    {
        if (!weights.TryGetValue(name, out var tensor) || tensor is null)
        {
            throw new OnnxExportException($"weight '{name}' of the layer at position {layer} is missing (expected shape {WeightTensor.Describe(shape)})");
        }

        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new OnnxExportException($"weight '{name}' of the layer at position {layer} has shape {tensor.DescribeShape()}; the spec needs {WeightTensor.Describe(shape)}");
        }

        if (tensor.Data is null || tensor.Data.LongLength != tensor.ElementCount)
        {
            throw new OnnxExportException($"weight '{name}' holds {tensor.Data?.LongLength ?? 0} values; its shape {tensor.DescribeShape()} needs {tensor.ElementCount}");
        }

        _used.Add(name);
        return tensor;
    }

    public void EnsureAllUsed()
    {
        var unused = weights.Keys
            .Where(k => !_used.Contains(k) && !k.EndsWith(StepCounterSuffix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unused.Count > 0)
        {
            throw new OnnxExportException($"weights not used by any layer of the spec: {string.Join(", ", unused)}; are they from another model?");
        }
    }
}
