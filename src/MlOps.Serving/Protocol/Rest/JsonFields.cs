using System.Text.Json;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>Typed reads of JSON request fields whose errors name the field and where it sits.</summary>
internal static class JsonFields
{
    public static JsonElement? Optional(JsonElement parent, string field, JsonValueKind kind, string where)
    {
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
        {
            throw TensorLayout.Invalid($"{where} '{field}' must be {Describe(kind)}");
        }

        return value;
    }

    public static JsonElement Required(JsonElement parent, string field, JsonValueKind kind, string where) =>
        Optional(parent, field, kind, where) ?? throw TensorLayout.Invalid($"{where} has no '{field}'");

    public static string RequiredString(JsonElement parent, string field, string where) =>
        Required(parent, field, JsonValueKind.String, where).GetString()!;

    /// <summary>A boolean; pass <see cref="JsonValueKind.True"/> to accept either literal.</summary>
    public static bool? OptionalBool(JsonElement parent, string field, string where) =>
        Optional(parent, field, JsonValueKind.True, where)?.GetBoolean();

    public static long? OptionalNonNegativeInteger(JsonElement parent, string field, string where)
    {
        if (Optional(parent, field, JsonValueKind.Number, where) is not { } value)
        {
            return null;
        }

        return value.TryGetInt64(out var number) && number >= 0
            ? number
            : throw TensorLayout.Invalid($"{where} '{field}' must be a non-negative integer");
    }

    public static long[] Shape(JsonElement parent, string where)
    {
        var array = Required(parent, "shape", JsonValueKind.Array, where);
        var shape = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var dim in array.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out shape[i++]))
            {
                throw TensorLayout.Invalid($"{where} 'shape' must be an array of integers");
            }
        }

        return shape;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => "a boolean",
    };
}
