using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;

namespace MlOps.Cli.Models;

/// <summary><c>mlops model show NAME:VERSION|NAME@ALIAS|NAME</c>: one version and its full lineage.</summary>
internal static class ShowModelCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var reference = new Argument<string>("reference") { Description = "NAME:VERSION, NAME@ALIAS or NAME (the newest version)", HelpName = "MODEL" };
        var command = shared.AddTo(new Command("show", "Show a model version: metrics, ONNX digest and full lineage") { reference });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var parsed = RegistryReference.Model(parseResult.GetValue(reference)!, allowNewest: true);
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var version = await client.GetModelVersionAsync(parsed.Name, parsed.Version, parsed.Alias, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(version));
            }
            else
            {
                ModelText.Describe(version).Write(context.Out);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
