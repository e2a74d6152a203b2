using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Pipelines;

/// <summary><c>mlops pipeline ls [PIPELINE] [--limit N]</c>: pipeline runs, newest first.</summary>
internal static class ListPipelineRunsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var pipeline = new Argument<string?>("pipeline") { Description = "Only this pipeline's runs", HelpName = "PIPELINE", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many runs [default: the coordinator's, 50]", HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--limit must be at least 1");
            }
        });
        var command = shared.AddTo(new Command("ls", "List pipeline runs, newest first") { pipeline, limit });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var filter = parseResult.GetValue(pipeline) ?? "";
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var runs = await client.ListPipelineRunsAsync(filter, parseResult.GetValue(limit), cancellationToken);
            if (context.Json)
            {
                var response = new ListPipelineRunsResponse();
                response.Runs.Add(runs);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (runs.Count == 0)
            {
                await context.Error.WriteLineAsync(filter.Length > 0 ? $"no runs of pipeline {filter} yet" : "no pipeline runs yet");
                return ExitCodes.Ok;
            }

            PipelineText.Runs(runs, environment.Time.GetUtcNow()).Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }
}
