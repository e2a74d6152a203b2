using System.CommandLine;

namespace MlOps.Cli.Watching;

/// <summary><c>mlops watch ID [--from-seq N]</c>: follows a job to its end; exit 0 when it SUCCEEDED, 1 otherwise.</summary>
internal static class WatchCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var id = new Argument<string>("id") { Description = "Job id", HelpName = "ID" };
        var fromSeq = new Option<long>("--from-seq")
        {
            Description = "Only events after this sequence number [default: 0, the whole history]",
            HelpName = "N",
        };
        fromSeq.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 0)
            {
                result.AddError("--from-seq must be zero or positive");
            }
        });
        var command = shared.AddTo(new Command("watch", "Follow a job's progress, logs and state until it ends") { id, fromSeq });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            return await JobWatch.RunAsync(context, client, parseResult.GetValue(id)!, parseResult.GetValue(fromSeq), cancellationToken);
        });
        return command;
    }
}
