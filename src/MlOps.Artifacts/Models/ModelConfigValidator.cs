namespace MlOps.Artifacts.Models;

/// <summary>Checks a <see cref="ModelArtifactConfig"/> before it is pushed; lists every problem at once.</summary>
internal static class ModelConfigValidator
{
    /// <summary>ONNX tensor element types, in the lowercase names the config uses.</summary>
    public static readonly IReadOnlySet<string> DataTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "float32", "float16", "bfloat16", "float64", "int8", "int16", "int32", "int64",
        "uint8", "uint16", "uint32", "uint64", "bool", "string",
    };

    public static IReadOnlyList<string> Problems(ModelArtifactConfig config)
    {
        var errors = new List<string>();
        if (config.Signature is null)
        {
            errors.Add("signature is required");
        }
        else
        {
            CheckTensors(config.Signature.Inputs, "inputs", errors);
            CheckTensors(config.Signature.Outputs, "outputs", errors);
        }

        if (config.Metrics is null)
        {
            errors.Add("metrics is required (use an empty dictionary when there are none)");
        }

        foreach (var (name, value) in config.Metrics ?? new Dictionary<string, double>())
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add("metrics: a metric name is empty");
            }
            else if (!double.IsFinite(value))
            {
                errors.Add($"metrics.{name} is {value}; JSON needs a finite number");
            }
        }

        if (config.Lineage is null)
        {
            errors.Add("lineage is required (use an empty ModelLineage when nothing is known)");
        }

        return errors;
    }

    private static void CheckTensors(IReadOnlyList<TensorSignature>? tensors, string field, List<string> errors)
    {
        if (tensors is not { Count: > 0 })
        {
            errors.Add($"signature.{field} must list at least one tensor");
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            var at = $"signature.{field}[{i}]";
            if (string.IsNullOrWhiteSpace(tensor.Name))
            {
                errors.Add($"{at}.name is empty");
            }
            else if (!names.Add(tensor.Name))
            {
                errors.Add($"{at}.name '{tensor.Name}' appears twice");
            }

            if (!DataTypes.Contains(tensor.DataType ?? string.Empty))
            {
                errors.Add($"{at}.dataType '{tensor.DataType}' is not one of {string.Join(", ", DataTypes)}");
            }

            if (tensor.Shape is null || tensor.Shape.Any(d => d < -1))
            {
                errors.Add($"{at}.shape must list dimensions >= 0, or -1 for a dynamic one");
            }
        }
    }
}
