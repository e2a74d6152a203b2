using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Retraining;

/// <summary>
/// <c>mlops retrain show RUN_ID [--watch]</c>: a run, its evaluation and the timeline of its decisions with their
/// evidence. With <c>--watch</c> the decisions are printed as they appear until the run is finished, then the run.
/// Exit 1 when the run is FAILED, as <c>rollout status</c> does for a failed deployment.
/// </summary>
internal static class ShowRunCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var id = new Argument<string>("id") { Description = "Run id (mlops retrain runs lists them)", HelpName = "RUN_ID" };
        var watch = new Option<bool>("--watch", "-w")
        {
            Description = "Print decisions as they are made until the run is PROMOTED, REJECTED, ROLLED_BACK (exit 0) or FAILED (exit 1)",
        };
        var command = shared.AddTo(new Command("show", "Show a retraining run: evaluation and every decision with its evidence") { id, watch });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var run = await client.GetRetrainingRunAsync(parseResult.GetValue(id)!, cancellationToken);
            if (!parseResult.GetValue(watch))
            {
                await WriteAsync(context, run);
                return RunWatch.ExitCode(run);
            }

            // JSON Lines as 'watch -o json' writes them: one decision a line, then the finished run.
            Action<RetrainingDecision> onDecision = context.Json
                ? decision => context.Out.WriteLine(ProtoJson.Line(decision))
                : decision => RetrainingText.Decision(decision, context.Out);
            if (!context.Json)
            {
                await context.Error.WriteLineAsync($"following run {run.Id} of {run.Model} (trigger {RetrainingText.Or(run.Trigger)}), now {RetrainingText.State(run.State)}");
            }

            run = await RunWatch.UntilFinishedAsync(client, run, onDecision, context.Error, environment.Time, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Line(run));
            }
            else
            {
                await context.Out.WriteLineAsync();
                RetrainingText.Describe(run, context.Out);
            }

            return RunWatch.ExitCode(run);
        });
        return command;
    }

    private static async Task WriteAsync(CommandContext context, RetrainingRun run)
    {
        if (context.Json)
        {
            await context.Out.WriteLineAsync(ProtoJson.Indented(run));
            return;
        }

        RetrainingText.Describe(run, context.Out);
        await context.Out.WriteLineAsync();
        if (run.Decisions.Count == 0)
        {
            await context.Out.WriteLineAsync("decisions: none yet");
            return;
        }

        await context.Out.WriteLineAsync("decisions:");
        RetrainingText.Timeline(run.Decisions, context.Out);
    }
}
