using System.CommandLine;
using MlOps.Cli.Output;

namespace MlOps.Cli.Jobs;

/// <summary><c>mlops cancel ID [--reason R]</c>: asks the coordinator to stop a job; prints the state it is now in.</summary>
internal static class CancelCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var id = new Argument<string>("id") { Description = "Job id", HelpName = "ID" };
        var reason = new Option<string?>("--reason") { Description = "Why; recorded on the job", HelpName = "TEXT" };
        var command = shared.AddTo(new Command("cancel", "Cancel a queued or running job") { id, reason });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var job = await client.CancelJobAsync(parseResult.GetValue(id)!, parseResult.GetValue(reason) ?? "", cancellationToken);
            await context.Out.WriteLineAsync(context.Json ? ProtoJson.Indented(job) : $"{job.Id} {Display.State(job.State)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
