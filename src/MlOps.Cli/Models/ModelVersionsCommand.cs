using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Models;

/// <summary><c>mlops model versions NAME</c>: a model's versions with aliases, metrics, ONNX digest and dataset.</summary>
internal static class ModelVersionsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Model name", HelpName = "NAME" };
        var command = shared.AddTo(new Command("versions", "List a model's versions with their metrics") { name });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var model = RegistryReference.Name(parseResult.GetValue(name)!, "model");
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var versions = await client.ListModelVersionsAsync(model, cancellationToken);
            if (context.Json)
            {
                var response = new ListModelVersionsResponse();
                response.Versions.Add(versions);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (versions.Count == 0)
            {
                await context.Error.WriteLineAsync($"model {model} has no versions");
                return ExitCodes.Ok;
            }

            var table = new TextTable("version", "aliases", "test_accuracy", "metrics", "onnx", "dataset", "created");
            foreach (var version in versions.OrderBy(v => v.Version))
            {
                table.AddRow(Display.Integer(version.Version), ModelText.Aliases(version.Aliases), ModelText.TestAccuracy(version),
                    ModelText.OtherMetrics(version), Display.ShortDigest(version.OnnxDigest), ModelText.Dataset(version.Lineage),
                    Display.Time(version.CreatedAt));
            }

            table.Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }
}
