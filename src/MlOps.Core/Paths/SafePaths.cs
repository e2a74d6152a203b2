namespace MlOps.Core.Paths;

/// <summary>
/// Checks for names that become paths and for paths that must stay under a root (docs/security.md, "Safe inputs"). A name
/// from a request, a manifest or a spec is one plain path component; a path is judged by where it really leads, every
/// symbolic link along it resolved, not by its text.
/// </summary>
public static class SafePaths
{
    /// <summary>Longest name one path component may have (Linux's NAME_MAX).</summary>
    public const int MaxComponentLength = 255;

    private const int MaxLinks = 40;

    /// <summary>Why <paramref name="name"/> is not a single plain path component (empty, <c>.</c>, <c>..</c>, a
    /// separator, NUL or another control character, too long), or null when it is one.</summary>
    public static string? ComponentProblem(string? name) => name switch
    {
        null or "" => "it is empty",
        "." or ".." => $"'{name}' is not a name",
        { Length: > MaxComponentLength } => $"it is longer than {MaxComponentLength} characters",
        _ when name.Contains('\0', StringComparison.Ordinal) => "it contains a NUL character",
        _ when name.IndexOfAny(['/', '\\']) >= 0 => $"'{name}' contains a path separator",
        _ when name.Any(char.IsControl) => $"'{name}' contains a control character",
        _ => null,
    };

    /// <summary>
    /// The absolute path <paramref name="path"/> really names, with every symbolic link along it resolved (like
    /// realpath(3)); components that do not exist yet are kept as written.
    /// </summary>
    /// <exception cref="IOException">A chain of more than 40 links (a loop).</exception>
    /// <exception cref="ArgumentException">The path contains a NUL character.</exception>
    public static string RealPath(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("the path contains a NUL character", nameof(path));
        }

        var links = 0;
        return Resolve(Path.GetFullPath(path), ref links);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies inside it (both absolute and
    /// normalised, e.g. by <see cref="RealPath"/>).</summary>
    public static bool IsUnder(string path, string root)
    {
        root = Path.TrimEndingDirectorySeparator(root);
        path = Path.TrimEndingDirectorySeparator(path);
        return path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ||
               (root == Path.GetPathRoot(root) && path.StartsWith(root, StringComparison.Ordinal));
    }

    private static string Resolve(string full, ref int links)
    {
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"{full}: more than {MaxLinks} symbolic links (a loop?)");
                }

                // A relative target is relative to the link's directory, which is already resolved.
                next = Resolve(Path.GetFullPath(target, current), ref links);
            }

            current = next;
        }

        return current;
    }
}
