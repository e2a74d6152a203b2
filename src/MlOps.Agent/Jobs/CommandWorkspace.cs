using System.Text.RegularExpressions;
using MlOps.Artifacts;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// The working directory of a command job's attempt: <c>inputs/&lt;name&gt;</c> holds each input as fetched (a dataset
/// version's files, a model version's files, or any artifact's layers under their titles), <c>outputs/&lt;name&gt;</c> one
/// empty directory per declared output for the command to fill. Names are checked again here (the spec validator already
/// did) and every path is confirmed to stay inside the work directory, so no input or output lands elsewhere on the node.
/// </summary>
internal sealed partial class CommandWorkspace
{
    public const string InputsFolder = "inputs";
    public const string OutputsFolder = "outputs";

    private CommandWorkspace(string workDirectory)
    {
        WorkDirectory = Path.GetFullPath(workDirectory);
    }

    public string WorkDirectory { get; }

    public string InputsDirectory => Path.Combine(WorkDirectory, InputsFolder);

    public string OutputsDirectory => Path.Combine(WorkDirectory, OutputsFolder);

    public static CommandWorkspace At(string workDirectory) => new(workDirectory);

    /// <summary>The local directory of input <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a plain input name.</exception>
    public string InputPath(string name) => Confined(InputsDirectory, name, "input");

    /// <summary>The local directory of output <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a plain output name.</exception>
    public string OutputPath(string name) => Confined(OutputsDirectory, name, "output");

    /// <summary>Empties <c>inputs</c> and <c>outputs</c> (a re-delivered attempt starts clean), fetches every input and
    /// creates the output directories.</summary>
    /// <exception cref="CommandInputException">An input could not be fetched; the message names it.</exception>
    public async Task PrepareAsync(IArtifactStore store, CommandSpec command, CancellationToken cancellationToken)
    {
        foreach (var directory in new[] { InputsDirectory, OutputsDirectory })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
        }

        foreach (var output in command.Outputs)
        {
            Directory.CreateDirectory(OutputPath(output));
        }

        foreach (var input in command.Inputs)
        {
            var target = InputPath(input.Name);
            try
            {
                await FetchAsync(store, input, target, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new CommandInputException($"could not fetch input '{input.Name}' ({input.Kind} {input.Repository}@{input.ManifestDigest}): {ex.Message}", ex);
            }
        }
    }

    private static async Task FetchAsync(IArtifactStore store, CommandInput input, string target, CancellationToken cancellationToken)
    {
        switch (input.Kind)
        {
            case "dataset":
                await store.PullDatasetAsync(input.Repository, input.ManifestDigest, target, cancellationToken);
                break;
            case "model":
                await store.PullModelAsync(input.Repository, input.ManifestDigest, target, cancellationToken);
                break;
            case "artifact":
                await PullLayersAsync(store, input, target, cancellationToken);
                break;
            default:
                throw new ArgumentException($"unknown input kind '{input.Kind}'");
        }
    }

    /// <summary>Any artifact: each layer as a file named by its title, or by its digest's hex when the title is missing
    /// or not a plain file name (a manifest is not trusted to name paths).</summary>
    private static async Task PullLayersAsync(IArtifactStore store, CommandInput input, string target, CancellationToken cancellationToken)
    {
        var content = await store.GetManifestAsync(input.Repository, input.ManifestDigest, cancellationToken);
        if (content.MediaType != OciMediaTypes.ImageManifest)
        {
            throw new ArtifactInvalidException($"{input.Repository}@{content.Digest} is a {content.MediaType}, not an OCI image manifest");
        }

        var manifest = OciManifest.Parse(content.Bytes, $"{input.Repository}@{content.Digest}");
        Directory.CreateDirectory(target);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in manifest.Layers)
        {
            var title = layer.Annotations?.GetValueOrDefault(OciAnnotations.Title);
            var name = title is not null && PlainFileName().IsMatch(title) && title is not "." and not ".." && used.Add(title)
                ? title
                : layer.Digest[(layer.Digest.IndexOf(':', StringComparison.Ordinal) + 1)..];
            used.Add(name);
            await store.DownloadBlobAsync(input.Repository, layer, Path.Combine(target, name), cancellationToken);
        }
    }

    private static string Confined(string root, string name, string what)
    {
        if (!CommandName().IsMatch(name))
        {
            throw new ArgumentException($"{what} name '{name}' is not a plain name (lowercase letter, then letters, digits, '_' or '-')");
        }

        var path = Path.GetFullPath(Path.Combine(root, name));
        return Path.GetDirectoryName(path) == root
            ? path
            : throw new ArgumentException($"{what} '{name}' would lie outside {root}");
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex CommandName();

    [GeneratedRegex(@"^[^/\\\x00-\x1f]{1,255}$")]
    private static partial Regex PlainFileName();
}

/// <summary>An input of a command job could not be fetched; the attempt fails with this message.</summary>
internal sealed class CommandInputException(string message, Exception inner) : Exception(message, inner);
