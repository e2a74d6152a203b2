using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

internal sealed partial class CoordinatorStepExecutor
{
    /// <summary>
    /// Submits <c>params.job</c> with the <c>data</c> input as its dataset, pinned by digest, and waits for the job;
    /// its registered model version is the output. A cancelled run cancels the job; a coordinator that stops leaves
    /// it running (it is the cluster's job, and a re-run after the restart finds its model in the cache only if the
    /// step finished, so the job is not lost either way).
    /// </summary>
    private async Task<ResolvedArtifact> TrainAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        JobSpec spec;
        try
        {
            spec = TrainStepJob.Read(execution.Step);
        }
        catch (SpecValidationException ex)
        {
            throw new PipelineStepException($"params.job: {ex.Message}");
        }

        var (dataset, _, data) = Versioned(execution, "data", "dataset");
        spec.Dataset = new DatasetRef { Name = dataset, Digest = data.Digest };
        Job job;
        try
        {
            job = await submitter.SubmitAsync(spec, runs.Owner(execution.RunId), cancellationToken);
        }
        catch (SpecValidationException ex)
        {
            throw new PipelineStepException($"the training job was refused: {ex.Message}");
        }

        runs.RecordJob(execution.RunId, execution.Step.Name, job.Id);
        Note(execution, $"job {job.Id} submitted on {data.Reference}");
        job = await WaitForJobAsync(execution, job, cancellationToken);
        if (job.State != JobState.Succeeded)
        {
            var reason = job.FailureReason.Length > 0 ? job.FailureReason : "no reason given";
            throw new PipelineStepException($"job {job.Id} ended {job.State.ToString().ToUpperInvariant()}: {reason}");
        }

        var number = job.Result?.ModelVersion ?? 0;
        var version = number > 0 ? await registry.GetModelVersionAsync(job.Spec.Name, number, cancellationToken) : null;
        return version is null
            ? throw new PipelineStepException($"job {job.Id} succeeded but registered no model version")
            : CoordinatorArtifactResolver.Model(version);
    }

    private async Task<Job> WaitForJobAsync(StepExecution execution, Job job, CancellationToken cancellationToken)
    {
        try
        {
            while (!JobStates.IsTerminal(job.State))
            {
                await Task.Delay(options.Value.PollInterval, time, cancellationToken);
                job = await jobs.GetJobAsync(job.Id, cancellationToken)
                    ?? throw new PipelineStepException($"job {job.Id} disappeared from the store");
            }

            return job;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && runs.IsCancelledByUser(execution.RunId))
        {
            try
            {
                await canceller.CancelAsync(job.Id, $"pipeline run {execution.RunId} was cancelled", CancellationToken.None);
            }
            catch (JobFinishedException)
            {
                // It ended on its own meanwhile.
            }
            catch (Exception ex)
            {
                PipelinesLog.JobCancelFailed(logger, execution.RunId, execution.Step.Name, job.Id, ex);
            }

            throw;
        }
    }
}
