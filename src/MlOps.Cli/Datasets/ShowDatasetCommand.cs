using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;

namespace MlOps.Cli.Datasets;

/// <summary><c>mlops data show NAME@VERSION|NAME|sha256:...</c>: one version with its files, digests and sizes.</summary>
internal static class ShowDatasetCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var reference = new Argument<string>("reference")
        {
            Description = "NAME@VERSION, NAME (the newest version) or the manifest digest sha256:...",
            HelpName = "DATASET",
        };
        var command = shared.AddTo(new Command("show", "Show one dataset version and its files") { reference });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var parsed = RegistryReference.Dataset(parseResult.GetValue(reference)!);
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var dataset = await client.GetDatasetVersionAsync(parsed.ToString(), cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(dataset));
            }
            else
            {
                DatasetText.Write(context.Out, dataset, context.Environment.OutputIsTerminal);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
