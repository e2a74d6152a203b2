using System.CommandLine;
using MlOps.Cli.Client;
using MlOps.Cli.Output;
using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Jobs;

/// <summary><c>mlops jobs [--state S]... [--owner O] [--limit N] [--all]</c>: one page of jobs, or every page with <c>--all</c>.</summary>
internal static class ListJobsCommand
{
    /// <summary>The coordinator's cap on one page (jobs.proto, ListJobsRequest.page_size).</summary>
    public const int MaxLimit = 500;

    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var states = new Option<JobState[]>("--state", "-s")
        {
            Description = $"Only jobs in these states (repeat or comma-separate): {JobStateNames.Known}",
            HelpName = "STATE",
            CustomParser = JobStateNames.Parse,
        };
        var owner = new Option<string?>("--owner") { Description = "Only jobs of this owner", HelpName = "NAME" };
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"Jobs per page, 1-{MaxLimit} [default: the coordinator's, 50]; without --all only one page is shown",
            HelpName = "N",
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be between 1 and {MaxLimit}");
            }
        });
        var all = new Option<bool>("--all", "-A") { Description = "Every page, not just the first" };
        var command = shared.AddTo(new Command("jobs", "List jobs, newest first") { states, owner, limit, all });
        CommandAction.Set(command, environment, (parseResult, cancellationToken) =>
        {
            var request = new ListJobsRequest { Owner = parseResult.GetValue(owner) ?? "", PageSize = parseResult.GetValue(limit) };
            request.States.Add(parseResult.GetValue(states) ?? []);
            return RunAsync(shared.Context(environment, parseResult), request, parseResult.GetValue(all), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, ListJobsRequest request, bool all, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var (jobs, nextPageToken) = await FetchAsync(client, request, all, cancellationToken);
        if (context.Json)
        {
            var response = new ListJobsResponse { NextPageToken = nextPageToken };
            response.Jobs.Add(jobs);
            await context.Out.WriteLineAsync(ProtoJson.Indented(response));
            return ExitCodes.Ok;
        }

        if (jobs.Count == 0)
        {
            await context.Error.WriteLineAsync("no jobs found");
            return ExitCodes.Ok;
        }

        var table = new TextTable("id", "name", "owner", "state", "attempt", "agent", "progress", "created");
        foreach (var job in jobs)
        {
            table.AddRow(job.Id, job.Spec?.Name ?? "", job.Spec?.Owner ?? "", Display.State(job.State), Attempt(job),
                Or(job.AgentId), ProgressCell(job), Display.Time(job.CreatedAt));
        }

        table.Write(context.Out, context.Environment.OutputIsTerminal);
        if (nextPageToken.Length > 0)
        {
            await context.Error.WriteLineAsync($"showing the first {jobs.Count} jobs; --all lists every one");
        }

        return ExitCodes.Ok;
    }

    /// <summary>One page, or all of them; stops if a server hands back the token it was given.</summary>
    internal static async Task<(List<Job> Jobs, string NextPageToken)> FetchAsync(
        MlOpsClient client, ListJobsRequest request, bool all, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        while (true)
        {
            var page = await client.ListJobsAsync(request, cancellationToken);
            jobs.AddRange(page.Jobs);
            if (!all || page.NextPageToken.Length == 0 || page.NextPageToken == request.PageToken)
            {
                return (jobs, all ? "" : page.NextPageToken);
            }

            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }
    }

    internal static string Attempt(Job job) =>
        job.MaxAttempts > 0 ? $"{Display.Integer(job.Attempt)}/{Display.Integer(job.MaxAttempts)}" : Display.Integer(job.Attempt);

    /// <summary>Training progress while it runs, the test accuracy once it succeeded.</summary>
    internal static string ProgressCell(Job job)
    {
        if (job.State == JobState.Succeeded && job.Result?.Metrics.TryGetValue(FinalReport.TestAccuracy, out var accuracy) == true)
        {
            return $"{FinalReport.TestAccuracy} {Display.Number(accuracy)}";
        }

        if (!Display.IsFinished(job.State) && job.LastProgress is { } p)
        {
            return $"epoch {Display.Integer(p.Epoch)}/{Display.Integer(p.Epochs)} accuracy {Display.Number(p.Accuracy)}";
        }

        return Display.None;
    }

    private static string Or(string value) => string.IsNullOrEmpty(value) ? Display.None : value;
}
