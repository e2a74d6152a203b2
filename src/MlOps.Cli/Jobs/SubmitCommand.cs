using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.Watching;

namespace MlOps.Cli.Jobs;

/// <summary><c>mlops submit FILE [--watch] [--owner NAME]</c>: validates a spec locally, submits it, prints the id.</summary>
internal static class SubmitCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var file = new Argument<string>("file") { Description = "Job spec (YAML)", HelpName = "FILE" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the job until it ends, like 'mlops watch'" };
        var owner = new Option<string?>("--owner") { Description = "Owner to record [default: the spec's owner, else the local user, or with an API token its principal]", HelpName = "NAME" };
        var command = shared.AddTo(new Command("submit", "Submit a job spec and print the job id") { file, watch, owner });
        CommandAction.Set(command, environment, (parseResult, cancellationToken) => RunAsync(
            shared.Context(environment, parseResult),
            parseResult.GetValue(file)!,
            parseResult.GetValue(watch),
            parseResult.GetValue(owner),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, string file, bool watch, string? owner, CancellationToken cancellationToken)
    {
        var spec = SpecFile.Load(file, owner, context.DefaultOwner);
        using var client = context.CreateClient();
        var job = await client.SubmitJobAsync(spec, cancellationToken);
        if (context.Json)
        {
            // With --watch the whole output is JSON Lines, so the job goes on one line too.
            await context.Out.WriteLineAsync(watch ? ProtoJson.Line(job) : ProtoJson.Indented(job));
        }
        else
        {
            await context.Out.WriteLineAsync(job.Id);
        }

        return watch ? await JobWatch.RunAsync(context, client, job.Id, fromSeq: 0, cancellationToken) : ExitCodes.Ok;
    }
}
