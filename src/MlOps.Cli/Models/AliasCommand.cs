using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;

namespace MlOps.Cli.Models;

/// <summary>
/// <c>mlops model alias set NAME ALIAS VERSION</c> and <c>mlops model alias rm NAME ALIAS</c>: mutable names
/// (<c>production</c>, <c>staging</c>, any other) over immutable versions.
/// </summary>
internal static class AliasCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("alias", "Set, move or remove a model alias")
        {
            CreateSet(environment, shared),
            CreateRemove(environment, shared),
        };

    private static Command CreateSet(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Model name", HelpName = "NAME" };
        var alias = new Argument<string>("alias") { Description = "Alias, e.g. production or staging", HelpName = "ALIAS" };
        var version = new Argument<string>("version") { Description = "Version the alias points to", HelpName = "VERSION" };
        var command = shared.AddTo(new Command("set", "Point an alias at a version (creates or moves it)") { name, alias, version });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var model = RegistryReference.Name(parseResult.GetValue(name)!, "model");
            var aliasName = RegistryReference.Alias(parseResult.GetValue(alias)!);
            var number = RegistryReference.Version(parseResult.GetValue(version)!, $"{model}:{parseResult.GetValue(version)}");
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var previous = await CurrentVersionAsync(client, model, aliasName, cancellationToken);
            var updated = await client.SetAliasAsync(model, aliasName, number, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(updated));
                return ExitCodes.Ok;
            }

            var change = previous switch
            {
                null => "(new)",
                var p when p == updated.Version => "(unchanged)",
                var p => $"(was {Display.Integer(p.Value)})",
            };
            await context.Out.WriteLineAsync($"{model}@{aliasName} -> {ModelText.Reference(updated)} {change}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRemove(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Model name", HelpName = "NAME" };
        var alias = new Argument<string>("alias") { Description = "Alias to remove", HelpName = "ALIAS" };
        var command = shared.AddTo(new Command("rm", "Remove an alias (the version it named stays)") { name, alias });
        command.Aliases.Add("delete");
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var model = RegistryReference.Name(parseResult.GetValue(name)!, "model");
            var aliasName = RegistryReference.Alias(parseResult.GetValue(alias)!);
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var response = await client.DeleteAliasAsync(model, aliasName, cancellationToken);
            await context.Out.WriteLineAsync(context.Json ? ProtoJson.Indented(response) : $"removed {model}@{aliasName}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The version the alias names now, or null when it does not exist yet (NOT_FOUND).</summary>
    private static async Task<int?> CurrentVersionAsync(Client.MlOpsClient client, string model, string alias, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetModelVersionAsync(model, 0, alias, cancellationToken)).Version;
        }
        catch (CliException ex) when (ex.Status == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }
}
