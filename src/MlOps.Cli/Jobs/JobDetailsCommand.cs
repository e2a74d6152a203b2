using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Jobs;

/// <summary><c>mlops job ID</c>: everything known about one job.</summary>
internal static class JobDetailsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var id = new Argument<string>("id") { Description = "Job id", HelpName = "ID" };
        var command = shared.AddTo(new Command("job", "Show one job: spec, state, attempts, result") { id });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var job = await client.GetJobAsync(parseResult.GetValue(id)!, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(job));
            }
            else
            {
                Describe(job).Write(context.Out);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>"3 of 5"; with preemptions "3 (2 of 5 used; 1 preempted, not counted)".</summary>
    private static string Attempt(Job job)
    {
        if (job.Preemptions <= 0)
        {
            return job.MaxAttempts > 0 ? $"{Display.Integer(job.Attempt)} of {Display.Integer(job.MaxAttempts)}" : Display.Integer(job.Attempt);
        }

        var used = Math.Max(0, job.Attempt - job.Preemptions);
        return $"{Display.Integer(job.Attempt)} ({Display.Integer(used)} of {Display.Integer(job.MaxAttempts)} used; {Display.Integer(job.Preemptions)} preempted, not counted)";
    }

    internal static KeyValueWriter Describe(Job job)
    {
        var spec = job.Spec ?? new JobSpec();
        var details = new KeyValueWriter()
            .Add("id", job.Id)
            .Add("name", spec.Name)
            .Add("owner", spec.Owner)
            .Add("state", Display.State(job.State))
            .Add("attempt", Attempt(job))
            .Add("agent", string.IsNullOrEmpty(job.AgentId) ? Display.None : job.AgentId)
            .Add("priority", Display.Integer(spec.Priority))
            .Add("seed", Display.Integer(spec.Seed))
            .Add("dataset", SpecSummary.Dataset(spec.Dataset))
            .AddIfSet("dataset digest", job.DatasetDigest)
            .Add("model", SpecSummary.Model(spec.Model))
            .Add("training", SpecSummary.Training(spec.HyperParameters))
            .Add("resources", SpecSummary.Resources(spec.Resources))
            .AddIfSet("gpus", string.Join(',', job.GpuUuids))
            .Add("created", Display.Time(job.CreatedAt))
            .Add("started", Display.Time(job.StartedAt))
            .Add("finished", Display.Time(job.FinishedAt));
        if (!Display.IsFinished(job.State) && job.LastProgress is { } progress)
        {
            details.Add("progress", Display.Progress(progress));
        }

        details.AddIfSet("waiting", job.State == JobState.Queued ? job.WaitingReason : null);
        if (job.LastCheckpoint is { ManifestDigest.Length: > 0 } checkpoint)
        {
            details.Add("checkpoint", $"epoch {Display.Integer(checkpoint.Epoch)}, step {Display.Integer(checkpoint.Step)} (attempt {Display.Integer(checkpoint.Attempt)}, {Display.Time(checkpoint.CreatedAt)}): {checkpoint.Repository}@{checkpoint.ManifestDigest}");
        }

        details.AddIfSet("failure reason", job.FailureReason);
        if (job.Result is { } result)
        {
            foreach (var (name, value) in FinalReport.OrderedMetrics(result.Metrics))
            {
                details.Add(name, Display.Metric(name, value));
            }

            details.Add("train time", Display.Seconds(result.TrainSeconds))
                .AddIfSet("weights uri", result.WeightsUri)
                .AddIfSet("weights sha256", result.WeightsSha256)
                .Add("weights size", Display.Integer(result.WeightsBytes) + " bytes")
                .AddIfSet("result dataset", result.DatasetDigest == job.DatasetDigest ? "" : result.DatasetDigest);
        }

        details.Add("last event seq", Display.Integer(job.LastEventSeq));
        return details;
    }
}
