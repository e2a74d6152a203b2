using Google.Protobuf;

namespace MlOps.Cli.Output;

/// <summary>
/// JSON for scripts, in the proto3 canonical mapping (lowerCamelCase names, enums by name, 64-bit integers as
/// strings). Default values are written too, so every field a script reads is always present.
/// </summary>
internal static class ProtoJson
{
    private static readonly JsonFormatter IndentedFormatter =
        new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    private static readonly JsonFormatter LineFormatter =
        new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>A multi-line document: the result of a one-shot command.</summary>
    public static string Indented(IMessage message) => IndentedFormatter.Format(message);

    /// <summary>One line: an element of a JSON Lines stream (<c>watch --output json</c>).</summary>
    public static string Line(IMessage message) => LineFormatter.Format(message);
}
