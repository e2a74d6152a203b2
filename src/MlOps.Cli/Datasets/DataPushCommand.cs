using System.CommandLine;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Manifests;
using MlOps.Cli.Client;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Datasets;

/// <summary>
/// <c>mlops data push NAME PATH... [--format F]</c>: uploads the files as a dataset artifact to
/// <c>datasets/NAME</c> in the coordinator's store (files it already has are not sent again), then asks the
/// coordinator to check and number it. The same files again give the same manifest digest, so the existing
/// version comes back.
/// </summary>
internal static class DataPushCommand
{
    /// <summary>The push tags the manifest with this; the coordinator adds <c>v&lt;N&gt;</c> when it numbers it.</summary>
    public const string PushTag = "latest";

    public const string DefaultFormat = "mnist-idx";

    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Dataset name, e.g. fashion-mnist", HelpName = "NAME" };
        var paths = new Argument<string[]>("paths")
        {
            Description = "Files, or directories whose files (sorted by name) to push",
            HelpName = "PATH",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format")
        {
            Description = "File layout the coordinator checks",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => DefaultFormat,
        };
        var command = shared.AddTo(new Command("push", "Upload files as a new, immutable dataset version") { name, paths, format });
        CommandAction.Set(command, environment, (parseResult, cancellationToken) =>
        {
            // Checked in this order so that a bad name is reported even when the paths are wrong too.
            var dataset = RegistryReference.Name(parseResult.GetValue(name)!, "dataset");
            var files = DatasetFiles.Collect(parseResult.GetValue(paths)!);
            return RunAsync(shared.Context(environment, parseResult), dataset, files, parseResult.GetValue(format) ?? DefaultFormat, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, string name, IReadOnlyList<LocalFile> files, string format, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var repository = "datasets/" + name;
        var totalBytes = files.Sum(f => f.Size);
        await context.Error.WriteLineAsync(
            $"pushing {Display.Integer(files.Count)} {(files.Count == 1 ? "file" : "files")} ({Display.Bytes(totalBytes)}) to {repository} at {client.Address}");
        var progress = new TransferProgress(context.Error, context.Environment.ErrorIsTerminal, context.Environment.Time, totalBytes);
        var store = new ProgressArtifactStore(client.Artifacts, OciMediaTypes.DatasetFile, progress.Add);
        string digest;
        try
        {
            digest = await store.PushDatasetAsync(repository, PushTag, name, [.. files.Select(f => f.Path)], cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file vanished or could not be read (one that changed while it was read is an ArtifactInvalidException).
            throw new CliException(ExitCodes.Error, $"push to {repository} failed: {ex.Message}", ex);
        }

        progress.Complete(files.Count);
        var existing = await FindAsync(client, name, digest, cancellationToken);
        var version = await client.CreateDatasetVersionAsync(name, digest, format, cancellationToken);
        if (existing is not null)
        {
            await context.Error.WriteLineAsync($"these files are already {DatasetText.Reference(version)}; no new version");
        }

        await context.Out.WriteLineAsync(context.Json ? ProtoJson.Indented(version) : $"{DatasetText.Reference(version)} {version.Digest}");
        return ExitCodes.Ok;
    }

    /// <summary>The registered version with this digest, if any: only to tell the user nothing new was made.</summary>
    private static async Task<DatasetVersion?> FindAsync(MlOpsClient client, string name, string digest, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.ListDatasetsAsync(name, cancellationToken)).FirstOrDefault(v => v.Digest == digest);
        }
        catch (CliException ex) when (ex.Status == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }
}
