using System.CommandLine;
using MlOps.Artifacts.Models;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Core.Digests;

namespace MlOps.Cli.Models;

/// <summary>
/// <c>mlops model pull NAME:VERSION|NAME@ALIAS|NAME -o DIR</c>: downloads the version's artifact (<c>model.onnx</c>,
/// <c>config.json</c>, <c>manifest.json</c> and any extra layers) through the coordinator, every file verified
/// against its digest, and checks the ONNX file against the registry's ONNX digest. The directory is built beside
/// <c>DIR</c> and renamed into place, so a failed pull leaves nothing half-written; because that replaces
/// <c>DIR</c> as a whole, <c>DIR</c> must be new, empty, or an earlier pull.
/// </summary>
internal static class PullModelCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var reference = new Argument<string>("reference") { Description = "NAME:VERSION, NAME@ALIAS or NAME (the newest version)", HelpName = "MODEL" };
        var directory = new Option<string>("--dir", "-o")
        {
            Description = "Directory to write the model to (created; replaced if an earlier pull made it)",
            HelpName = "DIR",
            Required = true,
        };
        // -o is the directory here, as in 'curl -o'; the output format is --output only.
        var command = shared.AddTo(new Command("pull", "Download a model version's ONNX file and config, verified") { reference, directory }, outputShortName: false);
        CommandAction.Set(command, environment, (parseResult, cancellationToken) =>
        {
            var parsed = RegistryReference.Model(parseResult.GetValue(reference)!, allowNewest: true);
            var destination = CheckDestination(parseResult.GetValue(directory)!);
            return RunAsync(shared.Context(environment, parseResult), parsed, destination, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, ModelReference reference, string destination, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var version = await client.GetModelVersionAsync(reference.Name, reference.Version, reference.Alias, cancellationToken);
        if (version.Repository.Length == 0 || version.ManifestDigest.Length == 0)
        {
            throw new CliException(ExitCodes.Error, $"{ModelText.Reference(version)} has no stored artifact to pull");
        }

        var pulled = await client.Artifacts.PullModelAsync(version.Repository, version.ManifestDigest, destination, cancellationToken);
        var onnxDigest = await Sha256Digest.OfFileAsync(pulled.OnnxPath, cancellationToken);
        if (version.OnnxDigest.Length > 0 && onnxDigest != version.OnnxDigest)
        {
            Directory.Delete(pulled.Directory, recursive: true);
            throw new CliException(ExitCodes.Error,
                $"the ONNX file of {ModelText.Reference(version)} hashes to {onnxDigest}, but the registry recorded {version.OnnxDigest}; removed {destination}");
        }

        if (context.Json)
        {
            await context.Out.WriteLineAsync(ProtoJson.Indented(version));
            return ExitCodes.Ok;
        }

        var alias = reference.IsAlias || reference.IsNewest ? $" ({(reference.IsNewest ? "newest" : reference)})" : "";
        await context.Out.WriteLineAsync($"pulled {ModelText.Reference(version)}{alias} into {pulled.Directory}");
        var files = new TextTable("file", "digest", "size");
        foreach (var path in Directory.EnumerateFiles(pulled.Directory).Order(StringComparer.Ordinal))
        {
            files.AddRow(Path.GetFileName(path), await Sha256Digest.OfFileAsync(path, cancellationToken), Display.Integer(new FileInfo(path).Length));
        }

        files.Write(context.Out, context.Environment.OutputIsTerminal);
        await context.Out.WriteLineAsync($"onnx digest: {onnxDigest}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The pull replaces the directory as a whole, so it must not hold anything else: refuses the current
    /// directory (or one above it), a file, and a non-empty directory that an earlier pull did not make.
    /// </summary>
    internal static string CheckDestination(string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var current = Path.GetFullPath(Environment.CurrentDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (full.Length == 0 || current == full || current.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Usage($"cannot pull into {directory}: it is the current directory or one above it, and a pull replaces the whole directory");
        }

        if (File.Exists(full))
        {
            throw Usage($"cannot pull into {directory}: it is a file");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !IsEarlierPull(full))
        {
            throw Usage($"cannot pull into {directory}: it is not empty, and a pull replaces the whole directory; name a new or empty one");
        }

        return full;
    }

    private static bool IsEarlierPull(string directory) =>
        new[] { ModelArtifact.OnnxFileName, ModelArtifact.ConfigFileName, ModelArtifact.ManifestFileName }
            .All(name => File.Exists(Path.Combine(directory, name)));

    private static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
