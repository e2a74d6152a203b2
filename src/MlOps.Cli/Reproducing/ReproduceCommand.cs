using System.CommandLine;
using MlOps.Cli.Client;
using MlOps.Cli.Datasets;
using MlOps.Cli.Models;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Reproducing;

/// <summary>
/// <c>mlops reproduce NAME:VERSION [--watch] [--owner NAME]</c>: re-runs the recorded spec on the recorded dataset
/// digest, waits for it, and compares the new ONNX digest and metrics with the recorded ones. Exit 0 when
/// everything that counts matches, 1 when something differs or the job did not succeed.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var reference = new Argument<string>("reference") { Description = "Model version to reproduce: NAME:VERSION (or NAME@ALIAS)", HelpName = "MODEL" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Show the job's progress like 'mlops watch' while waiting" };
        var owner = new Option<string?>("--owner") { Description = "Owner of the new job [default: the local user, or with an API token its principal]", HelpName = "NAME" };
        var command = shared.AddTo(new Command("reproduce", "Re-run a model version's recorded job and check that it gives the same model") { reference, watch, owner });
        CommandAction.Set(command, environment, (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            return RunAsync(
                context,
                RegistryReference.Model(parseResult.GetValue(reference)!),
                parseResult.GetValue(watch),
                parseResult.GetValue(owner) is { Length: > 0 } given ? given : context.DefaultOwner,
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, ModelReference reference, bool watch, string owner, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var recorded = await client.GetModelVersionAsync(reference.Name, reference.Version, reference.Alias, cancellationToken);
        var jobId = recorded.Lineage?.JobId ?? "";
        if (jobId.Length == 0)
        {
            throw new CliException(ExitCodes.Error, $"{ModelText.Reference(recorded)} records no job; there is no spec to re-run");
        }

        var original = await client.GetJobAsync(jobId, cancellationToken);
        var spec = ReproductionSpec.From(recorded, original, owner);
        var job = await client.SubmitJobAsync(spec, cancellationToken);
        await context.Error.WriteLineAsync(
            $"reproducing {ModelText.Reference(recorded)} (job {jobId}) as job {job.Id} on dataset " +
            $"{DatasetText.Reference(spec.Dataset.Name, spec.Dataset.Version)} {spec.Dataset.Digest}, seed {Display.Integer(spec.Seed)}");

        Job final;
        if (watch)
        {
            final = await JobWatch.FollowAsync(context, client, job.Id, fromSeq: 0, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Line(final));
            }
            else
            {
                FinalReport.Write(context.Out, final);
                await context.Out.WriteLineAsync();
            }
        }
        else
        {
            final = await JobWatch.FollowAsync(context, client, job.Id, fromSeq: 0, new QuietWatchView(context.Error), cancellationToken);
        }

        var report = await CompareAsync(client, recorded, spec.Dataset.Digest, final, cancellationToken);
        if (context.Json)
        {
            await context.Out.WriteLineAsync(report.ToJson(indented: !watch));
        }
        else
        {
            report.WriteTable(context.Out, context.Environment.OutputIsTerminal);
        }

        if (final.State != JobState.Succeeded)
        {
            var reason = final.FailureReason.Length > 0 ? ": " + final.FailureReason : "";
            await context.Error.WriteLineAsync($"error: reproduction job {final.Id} ended {Display.State(final.State)}{reason}");
        }

        return report.Matches && final.State == JobState.Succeeded ? ExitCodes.Ok : ExitCodes.JobFailed;
    }

    /// <summary>
    /// Compares registry record with registry record when the job registered a version (the same metrics the
    /// registry keeps), else with the job's own result.
    /// </summary>
    private static async Task<ReproductionReport> CompareAsync(
        MlOpsClient client, ModelVersion recorded, string datasetDigest, Job final, CancellationToken cancellationToken)
    {
        var result = final.Result ?? new JobResult();
        var onnxDigest = result.OnnxDigest;
        IReadOnlyDictionary<string, double> metrics = ReproductionCheck.MetricsOf(final);
        var version = final.State == JobState.Succeeded ? result.ModelVersion : 0;
        if (version > 0)
        {
            try
            {
                var reproduced = await client.GetModelVersionAsync(recorded.Model, version, "", cancellationToken);
                onnxDigest = reproduced.OnnxDigest;
                metrics = reproduced.Metrics;
            }
            catch (CliException ex) when (ex.Status == Grpc.Core.StatusCode.NotFound)
            {
                // Registered under another name or not yet visible: the job's own result says the same.
            }
        }

        var checks = ReproductionCheck.Compare(
            datasetDigest, result.DatasetDigest.Length > 0 ? result.DatasetDigest : final.DatasetDigest,
            recorded.OnnxDigest.Length > 0 ? recorded.OnnxDigest : recorded.Lineage?.OnnxDigest ?? "", onnxDigest,
            recorded.Metrics, metrics);
        return new ReproductionReport(recorded, final, version, checks);
    }
}
