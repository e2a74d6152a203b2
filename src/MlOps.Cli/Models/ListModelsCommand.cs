using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Models;

/// <summary><c>mlops model ls</c>: every registered model with its newest version and aliases.</summary>
internal static class ListModelsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var command = shared.AddTo(new Command("ls", "List registered models"));
        command.Aliases.Add("list");
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var models = await client.ListModelsAsync(cancellationToken);
            if (context.Json)
            {
                var response = new ListModelsResponse();
                response.Models.Add(models);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (models.Count == 0)
            {
                await context.Error.WriteLineAsync("no models registered yet; a job that succeeds registers one");
                return ExitCodes.Ok;
            }

            var table = new TextTable("name", "latest", "versions", "aliases", "updated");
            foreach (var model in models.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                var aliases = model.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={Display.Integer(a.Value)}");
                table.AddRow(model.Name, Display.Integer(model.LatestVersion), Display.Integer(model.VersionCount),
                    string.Join(", ", aliases) is { Length: > 0 } joined ? joined : Display.None, Display.Time(model.UpdatedAt));
            }

            table.Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }
}
