namespace MlOps.Training.Native;

/// <summary>A native library could not be read or patched: it is not ELF64, is truncated, or lacks the
/// symbol or version the patch expects. <see cref="FilePath"/> names the file.</summary>
public sealed class ElfFormatException(string filePath, string message)
    : Exception($"{filePath}: {message}")
{
    public string FilePath { get; } = filePath;
}
