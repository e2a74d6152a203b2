using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace MlOps.Coordinator.Access;

/// <summary>
/// What an audited call named, read from its request (and the id its answer gave, such as a new job's): the fields
/// that identify things — ids, names, models, versions, repositories — as <c>field=value</c>, at most two levels deep,
/// never a field that may hold a secret, at most <see cref="MaxLength"/> characters.
/// </summary>
public static class AuditTargets
{
    public const int MaxLength = 300;

    private static readonly HashSet<string> Identifying = new(StringComparer.Ordinal)
    {
        "id", "job_id", "name", "model", "version", "alias", "deployment", "agent_id", "repository", "reference", "digest",
        "tag", "dataset", "pipeline", "run_id", "role", "drain", "owner", "target_version", "to_version",
    };

    private static readonly string[] Secret = ["secret", "password", "token", "env", "credential", "key"];

    public static string Describe(IMessage? request, IMessage? response)
    {
        var parts = new List<string>();
        if (request is not null)
        {
            Collect(request, "", depth: 0, parts);
        }

        if (response is not null)
        {
            var answered = new List<string>();
            Collect(response, "", depth: 0, answered, onlyIds: true);
            parts.AddRange(answered.Where(a => !parts.Contains(a)).Select(a => "→ " + a));
        }

        var text = string.Join(" ", parts);
        return text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
    }

    private static void Collect(IMessage message, string prefix, int depth, List<string> parts, bool onlyIds = false)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.IsMap || Secret.Any(s => field.Name.Contains(s, StringComparison.Ordinal)))
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.Message && !field.IsRepeated)
            {
                if (depth < 1 && value is IMessage nested && !IsWellKnown(field))
                {
                    Collect(nested, prefix + field.Name + ".", depth + 1, parts, onlyIds);
                }

                continue;
            }

            var wanted = onlyIds ? field.Name is "id" or "job_id" or "version" : Identifying.Contains(field.Name);
            if (!wanted || field.IsRepeated || field.FieldType is FieldType.Bytes or FieldType.Group)
            {
                continue;
            }

            var text = value switch
            {
                string s => s,
                bool b => b ? "true" : null,
                Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) == 0 ? null : e.ToString(),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) is var n && n != "0" ? n : null,
                _ => null,
            };
            if (!string.IsNullOrEmpty(text))
            {
                parts.Add($"{prefix}{field.Name}={Clip(text)}");
            }
        }
    }

    private static bool IsWellKnown(FieldDescriptor field) =>
        field.MessageType.File.Package == "google.protobuf";

    private static string Clip(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= 80 ? oneLine : oneLine[..79] + "…";
    }
}
