using MlOps.Artifacts.Datasets;

namespace MlOps.Cli.Datasets;

/// <summary>One file to push: the name it gets in the dataset and where it is on disk.</summary>
internal sealed record LocalFile(string Name, string Path, long Size);

/// <summary>
/// Turns the PATH arguments of <c>data push</c> into the dataset's files: a file is itself, a directory is its
/// regular files (not recursive; hidden files skipped), sorted by name. Two files with the same name, a missing
/// path, a name the coordinator would refuse (hidden, control characters, <c>dataset.json</c>) or nothing at all
/// is a usage error naming the culprit, before anything is uploaded.
/// </summary>
internal static class DatasetFiles
{
    public static IReadOnlyList<LocalFile> Collect(IReadOnlyList<string> paths)
    {
        var files = new List<LocalFile>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(Describe(new FileInfo(path)));
            }
            else if (Directory.Exists(path))
            {
                var inDirectory = new DirectoryInfo(path).EnumerateFiles()
                    .Where(f => !f.Name.StartsWith('.'))
                    .OrderBy(f => f.Name, StringComparer.Ordinal)
                    .Select(Describe)
                    .ToList();
                if (inDirectory.Count == 0)
                {
                    throw Usage($"directory {path} holds no files to push");
                }

                files.AddRange(inDirectory);
            }
            else
            {
                throw Usage($"no such file or directory: {path}");
            }
        }

        if (files.Count == 0)
        {
            throw Usage("name at least one file or directory to push");
        }

        foreach (var file in files)
        {
            if (Problem(file.Name) is { } problem)
            {
                throw Usage($"cannot push {file.Path}: {problem}");
            }
        }

        var duplicate = files.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Usage($"two files would both be named {duplicate.Key} in the dataset: {string.Join(" and ", duplicate.Select(f => f.Path))}");
        }

        return [.. files.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    /// <summary>The coordinator's rules for a file name in a dataset (and the artifact library's reserved name).</summary>
    private static string? Problem(string name) =>
        name.StartsWith('.') ? "dataset file names may not start with '.'"
        : name.Length > 255 ? "dataset file names are at most 255 characters"
        : name.Any(char.IsControl) ? "the file name holds a control character"
        : name == DatasetArtifact.ConfigFileName ? $"'{DatasetArtifact.ConfigFileName}' is reserved for the dataset's own description"
        : null;

    private static LocalFile Describe(FileInfo file)
    {
        // A symbolic link counts as the file it points to; its size is the target's.
        var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        return new LocalFile(file.Name, file.FullName, target.Length);
    }

    private static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
