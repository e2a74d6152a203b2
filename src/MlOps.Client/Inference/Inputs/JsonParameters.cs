using System.Text.Json;
using Google.Protobuf.Collections;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>Reads a JSON <c>parameters</c> object into the protocol's parameter map, and checks property names.</summary>
internal static class JsonParameters
{
    /// <summary>Adds each property of <paramref name="parameters"/> (a boolean, number or string) to <paramref name="target"/>.</summary>
    public static void Read(JsonElement parameters, string path, MapField<string, InferParameter> target)
    {
        ExpectObject(parameters, path);
        foreach (var property in parameters.EnumerateObject())
        {
            var value = property.Value;
            target[property.Name] = value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => new InferParameter { BoolParam = value.GetBoolean() },
                JsonValueKind.String => new InferParameter { StringParam = value.GetString() },
                JsonValueKind.Number when value.TryGetInt64(out var signed) => new InferParameter { Int64Param = signed },
                JsonValueKind.Number when value.TryGetUInt64(out var unsigned) => new InferParameter { Uint64Param = unsigned },
                JsonValueKind.Number when value.TryGetDouble(out var real) && double.IsFinite(real) => new InferParameter { DoubleParam = real },
                _ => throw new InferenceInputException(
                    $"{path}.{property.Name}", $"a parameter must be a boolean, number or string, found {JsonText.Kind(value)}"),
            };
        }
    }

    /// <summary>Throws unless <paramref name="element"/> is a JSON object.</summary>
    public static void ExpectObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InferenceInputException(path, $"must be an object, found {JsonText.Kind(element)}");
        }
    }

    /// <summary>Refuses properties outside <paramref name="known"/>, so that a misspelt field is not silently ignored.</summary>
    public static void ExpectOnly(JsonElement element, string path, params string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                var where = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                throw new InferenceInputException(where, $"unknown property; expected {string.Join(", ", known)}");
            }
        }
    }
}
