namespace MlOps.Artifacts.Packaging;

/// <summary>
/// The names layers are written under on pull come from the manifest (the title annotation), which may come from
/// anywhere: only plain file names are accepted, so a manifest can never write outside the pull directory.
/// </summary>
internal static class LayerFileNames
{
    private const int MaxLength = 255;

    /// <summary>Why <paramref name="name"/> is not a safe plain file name, or null when it is.</summary>
    public static string? Problem(string? name) => name switch
    {
        null or "" => "it is empty",
        "." or ".." => $"'{name}' is not a file name",
        { Length: > MaxLength } => $"it is longer than {MaxLength} characters",
        _ when name.IndexOfAny(['/', '\\', '\0']) >= 0 => $"'{name}' contains a path separator or NUL",
        _ when name.Any(char.IsControl) => $"'{name}' contains a control character",
        _ when name.StartsWith(".tmp-", StringComparison.Ordinal) => $"'{name}' uses the prefix of temporary files",
        _ => null,
    };

    /// <summary>Throws <paramref name="error"/>'s exception unless every name is safe, unique and not reserved.</summary>
    public static void Check(IEnumerable<string> names, IReadOnlyCollection<string> reserved, Func<string, Exception> error)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (Problem(name) is { } problem)
            {
                throw error($"file name is invalid: {problem}");
            }

            if (reserved.Contains(name))
            {
                throw error($"file name '{name}' is reserved for the artifact's own files ({string.Join(", ", reserved)})");
            }

            if (!seen.Add(name))
            {
                throw error($"file name '{name}' appears twice");
            }
        }
    }
}
