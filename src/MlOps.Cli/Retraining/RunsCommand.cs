using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Retraining;

/// <summary><c>mlops retrain runs [MODEL] [--limit N]</c>: retraining runs, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var model = new Argument<string?>("model") { Description = "Only this model's runs", HelpName = "MODEL", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many runs [default: the coordinator's, 50]", HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--limit must be at least 1");
            }
        });
        var command = shared.AddTo(new Command("runs", "List retraining runs, newest first") { model, limit });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var filter = parseResult.GetValue(model) is { Length: > 0 } given ? RegistryReference.Name(given, "model") : "";
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var runs = await client.ListRetrainingRunsAsync(filter, parseResult.GetValue(limit), cancellationToken);
            if (context.Json)
            {
                var response = new ListRetrainingRunsResponse();
                response.Runs.Add(runs);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (runs.Count == 0)
            {
                await context.Error.WriteLineAsync(filter.Length > 0 ? $"no retraining runs of {filter} yet" : "no retraining runs yet");
                return ExitCodes.Ok;
            }

            Table(runs, environment.Time.GetUtcNow()).Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static TextTable Table(IEnumerable<RetrainingRun> runs, DateTimeOffset now)
    {
        var table = new TextTable("id", "model", "state", "trigger", "versions", "job", "evaluation", "age");
        foreach (var run in runs)
        {
            table.AddRow(run.Id, run.Model, RetrainingText.State(run.State), RetrainingText.Or(run.Trigger), RetrainingText.Versions(run), RetrainingText.Or(run.JobId),
                RetrainingText.EvaluationSummary(run.Evaluation), Display.Ago(run.CreatedAt, now));
        }

        return table;
    }
}
