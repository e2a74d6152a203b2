using MlOps.Artifacts.Datasets;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Registry;
using MlOps.Core.Paths;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

internal sealed partial class CoordinatorStepExecutor
{
    /// <summary>The tag an ingest push points at the manifest, as <c>mlops data push</c> does.</summary>
    public const string IngestPushTag = "latest";

    /// <summary>
    /// Registers the files of <c>params.source</c> (a directory on the coordinator's host, or a <c>file://</c> URI of
    /// one) as a version of <c>params.dataset</c>, the way <c>mlops data push</c> does. Only directories under
    /// <see cref="PipelineOptions.IngestRoots"/> may be read, and no file may lead outside them through a link. The
    /// same files give the same manifest digest, so the existing version comes back and downstream steps stay cached.
    /// </summary>
    private async Task<ResolvedArtifact> IngestAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var roots = options.Value.IngestRoots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToList();
        if (roots.Count == 0)
        {
            throw new PipelineStepException(
                $"ingest steps are refused: the coordinator reads no directory for pipelines until {PipelineOptions.SectionName}:IngestRoots lists some");
        }

        var source = Text(execution, "source") ?? "";
        var directory = LocalPath(source);
        if (!roots.Any(root => IsUnder(directory, root)))
        {
            throw new PipelineStepException($"source '{source}' is not under {PipelineOptions.SectionName}:IngestRoots ({string.Join(", ", roots)})");
        }

        if (!Directory.Exists(directory))
        {
            throw new PipelineStepException($"source '{source}' is not a directory on the coordinator's host");
        }

        // Judged by where the directory really is: a linked directory under a root (root/data -> /etc) would otherwise
        // hand out files that are no links themselves.
        var realRoots = roots.Select(SafePaths.RealPath).ToList();
        if (!realRoots.Any(root => SafePaths.IsUnder(SafePaths.RealPath(directory), root)))
        {
            throw new PipelineStepException($"source '{source}' leads outside {PipelineOptions.SectionName}:IngestRoots through a symbolic link");
        }

        var files = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new PipelineStepException($"source '{source}' holds no files");
        }

        var escaping = files.Where(f => !realRoots.Any(root => SafePaths.IsUnder(SafePaths.RealPath(f), root))).ToList();
        if (escaping.Count > 0)
        {
            throw new PipelineStepException($"source '{source}': {string.Join(", ", escaping.Select(Path.GetFileName))} link outside {PipelineOptions.SectionName}:IngestRoots");
        }

        var name = Text(execution, "dataset") ?? "";
        if (RegistryNames.NameProblem(name) is { } problem)
        {
            throw new PipelineStepException($"params.dataset: {problem}");
        }

        var digest = await store.PushDatasetAsync(RegistryNames.DatasetRepository(name), IngestPushTag, name, files,
            description: Text(execution, "description"), cancellationToken: cancellationToken);
        try
        {
            var version = await registrar.CreateAsync(name, digest, Text(execution, "format") ?? "", cancellationToken);
            Note(execution, $"{files.Count} files from {directory} are {name}@{version.Version}");
            return CoordinatorArtifactResolver.Dataset(version);
        }
        catch (DatasetRegistrationException ex)
        {
            throw new PipelineStepException($"the files of '{source}' are not a valid dataset: {ex.Message}");
        }
    }

    private static string LocalPath(string source)
    {
        if (source.Contains('\0', StringComparison.Ordinal) || source.Contains("%00", StringComparison.Ordinal))
        {
            throw new PipelineStepException("source must not contain a NUL character");
        }

        if (source.StartsWith("file://", StringComparison.Ordinal))
        {
            return Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.IsFile && Path.IsPathFullyQualified(uri.LocalPath)
                ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(uri.LocalPath))
                : throw new PipelineStepException($"source '{source}' is not a file:// URI of an absolute path");
        }

        return Path.IsPathFullyQualified(source)
            ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(source))
            : throw new PipelineStepException($"source '{source}' must be an absolute path (or a file:// URI) on the coordinator's host");
    }

    private static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
