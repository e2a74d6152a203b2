using MlOps.Cli.Client;
using MlOps.Contracts;

namespace MlOps.Cli.Watching;

/// <summary>The part of <c>watch</c> that <c>submit --watch</c> and <c>reproduce</c> share: pick a view, follow, report, exit code.</summary>
internal static class JobWatch
{
    public static async Task<int> RunAsync(CommandContext context, MlOpsClient client, string jobId, long fromSeq, CancellationToken cancellationToken)
    {
        var final = await FollowAsync(context, client, jobId, fromSeq, cancellationToken);
        if (context.Json)
        {
            await context.Out.WriteLineAsync(Output.ProtoJson.Line(final));
        }
        else
        {
            FinalReport.Write(context.Out, final);
        }

        return final.State == JobState.Succeeded ? ExitCodes.Ok : ExitCodes.JobFailed;
    }

    /// <summary>Shows the job's events (live bar, lines or JSON Lines) until it ends; returns the finished job.</summary>
    public static async Task<Job> FollowAsync(CommandContext context, MlOpsClient client, string jobId, long fromSeq, CancellationToken cancellationToken)
    {
        // A first unary call turns a wrong id into NOT_FOUND (exit 3) and a dead coordinator into exit 4 at once,
        // before any reconnect logic applies.
        var job = await client.GetJobAsync(jobId, cancellationToken);
        WatchView view = context.Json
            ? new JsonWatchView(context.Out, context.Error)
            : context.Environment.OutputIsTerminal
                ? new LiveWatchView(context.CreateConsole(), job)
                : new PlainWatchView(context.Out, context.Error);
        return await FollowAsync(context, client, jobId, fromSeq, view, cancellationToken);
    }

    /// <summary>Follows the job into <paramref name="view"/> until it ends.</summary>
    public static Task<Job> FollowAsync(CommandContext context, MlOpsClient client, string jobId, long fromSeq, WatchView view, CancellationToken cancellationToken)
    {
        var follower = new JobEventFollower(client, context.Environment.Time, context.Environment.ReconnectDelay);
        return view.RunAsync(sink => follower.FollowAsync(jobId, fromSeq, sink, cancellationToken));
    }
}
