using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Datasets;

/// <summary><c>mlops data ls [NAME]</c>: every dataset version, or those of one dataset.</summary>
internal static class ListDatasetsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string?>("name") { Description = "Only this dataset's versions", HelpName = "NAME", Arity = ArgumentArity.ZeroOrOne };
        var command = shared.AddTo(new Command("ls", "List dataset versions") { name });
        command.Aliases.Add("list");
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var filter = parseResult.GetValue(name) is { Length: > 0 } given ? RegistryReference.Name(given, "dataset") : "";
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var versions = await client.ListDatasetsAsync(filter, cancellationToken);
            if (context.Json)
            {
                var response = new ListDatasetsResponse();
                response.Versions.Add(versions);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (versions.Count == 0)
            {
                await context.Error.WriteLineAsync(filter.Length > 0 ? $"no versions of dataset {filter}" : "no datasets; 'mlops data push NAME PATH...' adds one");
                return ExitCodes.Ok;
            }

            var table = new TextTable("name", "version", "digest", "files", "train", "test", "created");
            foreach (var version in versions.OrderBy(v => v.Name, StringComparer.Ordinal).ThenBy(v => v.Version))
            {
                table.AddRow(version.Name, Display.Integer(version.Version), Display.ShortDigest(version.Digest),
                    $"{Display.Integer(version.Files.Count)} ({Display.Bytes(DatasetText.TotalBytes(version))})",
                    Display.Integer(version.TrainCount), Display.Integer(version.TestCount), Display.Time(version.CreatedAt));
            }

            table.Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }
}
