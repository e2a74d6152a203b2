using MlOps.Artifacts;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Manifests;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Core.Paths;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Pushes what a command job left in <c>outputs/&lt;name&gt;</c>, one artifact per declared output, to the command's
/// output repository, tagged with the output's name. A generic output is artifact type <see cref="ArtifactType"/>: one
/// <see cref="OciMediaTypes.OctetStream"/> layer per file (title = file name, ordered by name so the same files give the
/// same digest) and the OCI empty config. The <c>dataset</c> output of the built-in <c>prepare</c> step is pushed as a
/// dataset artifact (<see cref="DatasetArtifact"/>), so the coordinator can register it as a dataset version. Only regular
/// files directly in the output's own directory are pushed: a symbolic link (to a file, or in place of the directory)
/// fails the push, so a command cannot publish what lies outside its work directory (docs/security.md, "Safe inputs").
/// </summary>
internal static class CommandOutputs
{
    /// <summary>Artifact type of a generic command output.</summary>
    public const string ArtifactType = "application/vnd.mlops.command.output.v1";

    /// <summary>OCI's empty descriptor: config media type and content for artifacts that have no config.</summary>
    public const string EmptyConfigMediaType = "application/vnd.oci.empty.v1+json";

    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    /// <summary>Pushes every declared output; the first that cannot be pushed throws, naming it.</summary>
    public static async Task<IReadOnlyList<CommandOutput>> PushAsync(IArtifactStore store, CommandSpec command, CommandWorkspace workspace,
        CancellationToken cancellationToken)
    {
        var pushed = new List<CommandOutput>();
        foreach (var name in command.Outputs)
        {
            try
            {
                pushed.Add(await PushOneAsync(store, command, Confined(workspace, name), name, cancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException($"could not push output '{name}' to {command.OutputRepository}: {ex.Message}", ex);
            }
        }

        return pushed;
    }

    /// <summary>The output's directory, refused when the command replaced it (or <c>outputs</c>) with a symbolic link:
    /// its real path must be exactly <c>outputs/&lt;name&gt;</c> under the work directory's real path.</summary>
    private static string Confined(CommandWorkspace workspace, string name)
    {
        var directory = workspace.OutputPath(name);
        var expected = Path.Combine(SafePaths.RealPath(workspace.WorkDirectory), CommandWorkspace.OutputsFolder, name);
        return SafePaths.RealPath(directory) == expected
            ? directory
            : throw new InvalidOperationException($"{directory} leads to {SafePaths.RealPath(directory)} through a symbolic link; outputs stay in the work directory");
    }

    private static async Task<CommandOutput> PushOneAsync(IArtifactStore store, CommandSpec command, string directory, string name,
        CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"the command removed its output directory {directory}");
        }

        if (Directory.EnumerateDirectories(directory).FirstOrDefault() is { } nested)
        {
            throw new InvalidOperationException($"{nested} is a directory; an output holds files only");
        }

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            // A link would upload whatever it points at (a key, /etc/shadow) as the job's output; reading a FIFO would
            // block the agent for good.
            if (new FileInfo(file).LinkTarget is { } target)
            {
                throw new InvalidOperationException($"{file} is a symbolic link (to {target}); an output holds regular files only");
            }

            if (!FileKinds.IsRegularOrUnknown(file))
            {
                throw new InvalidOperationException($"{file} is not a regular file (a FIFO, socket or device); an output holds regular files only");
            }
        }

        var files = Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).ToList();
        var bytes = files.Sum(f => new FileInfo(f).Length);
        var repository = command.OutputRepository;
        string digest;
        if (command.Builtin == BuiltinSteps.Prepare && name == BuiltinSteps.DatasetOutput)
        {
            digest = await store.PushDatasetAsync(repository, name, name, files, cancellationToken: cancellationToken);
        }
        else
        {
            var layers = new List<BlobDescriptor>();
            foreach (var file in files)
            {
                var layer = await store.PushFileAsync(repository, file, OciMediaTypes.OctetStream, cancellationToken);
                layers.Add(layer with { Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [OciAnnotations.Title] = Path.GetFileName(file) } });
            }

            var config = await store.PushBytesAsync(repository, EmptyConfig, EmptyConfigMediaType, cancellationToken);
            var manifest = new OciManifest(config with { MediaType = EmptyConfigMediaType }, layers)
            {
                ArtifactType = ArtifactType,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [OciAnnotations.Title] = name },
            };
            digest = await store.PushManifestAsync(repository, manifest.ToJsonBytes(), OciMediaTypes.ImageManifest, name, cancellationToken);
        }

        return new CommandOutput { Name = name, Repository = repository, ManifestDigest = digest, Bytes = bytes };
    }
}
