namespace MlOps.Core.Datasets;

/// <summary>A dataset file is missing, truncated or not what it claims to be. <see cref="FilePath"/> names it.</summary>
public sealed class DatasetException(string filePath, string message, Exception? inner = null)
    : Exception($"{filePath}: {message}", inner)
{
    public string FilePath { get; } = filePath;
}
