namespace MlOps.Coordinator.Datasets;

/// <summary>
/// File names inside a dataset version. A manifest comes from whoever pushed it, so each name must be a plain
/// file name before it becomes a path: no directories, no <c>..</c>, nothing hidden or unprintable.
/// </summary>
internal static class DatasetFileNames
{
    public const int MaxLength = 255;

    /// <summary>Returns <paramref name="name"/>, or throws <see cref="DatasetFileException"/> saying what is wrong with it.</summary>
    public static string Check(string name)
    {
        var problem = string.IsNullOrEmpty(name) ? "a file has no name"
            : name.Length > MaxLength ? $"the name is longer than {MaxLength} characters"
            : name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) ? "the name has a directory part; dataset files are plain names"
            : name.StartsWith('.') ? "the name starts with '.' (hidden files, '.' and '..' are not allowed)"
            : name.Any(char.IsControl) ? "the name holds a control character"
            : null;
        return problem is null ? name : throw new DatasetFileException(name, problem);
    }
}
