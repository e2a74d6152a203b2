using System.Text.Json;

namespace MlOps.Client.Inference.Inputs;

/// <summary>How JSON values are named in error messages.</summary>
internal static class JsonText
{
    private const int MaxShown = 40;

    /// <summary>The kind of a value with its article: "a string", "an object", "null".</summary>
    public static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>The value as written in the file, shortened when long.</summary>
    public static string Raw(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= MaxShown ? raw : string.Concat(raw.AsSpan(0, MaxShown), "...");
    }
}
