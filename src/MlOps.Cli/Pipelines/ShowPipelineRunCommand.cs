using System.CommandLine;
using MlOps.Cli.Output;

namespace MlOps.Cli.Pipelines;

/// <summary><c>mlops pipeline show RUN_ID [--watch]</c>: a run and a table of its steps (state, CACHED included,
/// duration, outputs with short digests, job, error or reason). Exit 1 when the run FAILED or was CANCELLED.</summary>
internal static class ShowPipelineRunCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var id = new Argument<string>("id") { Description = "Run id (mlops pipeline ls lists them)", HelpName = "RUN_ID" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the run until it ends: exit 0 when SUCCEEDED, 1 otherwise" };
        var command = shared.AddTo(new Command("show", "Show a pipeline run and its steps") { id, watch });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var run = await client.GetPipelineRunAsync(parseResult.GetValue(id)!, cancellationToken);
            if (parseResult.GetValue(watch))
            {
                return await RunPipelineCommand.WatchAsync(context, client, run, cancellationToken);
            }

            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(run));
            }
            else
            {
                var now = environment.Time.GetUtcNow();
                PipelineText.Describe(run, context.Out, now);
                await context.Out.WriteLineAsync();
                PipelineText.Steps(run, now).Write(context.Out, context.Environment.OutputIsTerminal);
            }

            return PipelineText.IsFinished(run.State) ? PipelineText.ExitCode(run) : ExitCodes.Ok;
        });
        return command;
    }
}
