using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Accepts a job: fills in defaults (owner, max attempts), checks the spec and its dataset with
/// <see cref="SubmitChecks"/> (every problem at once; nothing is stored for an invalid spec), pins a registered
/// dataset's version and digest in the spec, then stores it QUEUED and wakes the scheduler. A command job has no dataset:
/// its inputs are pinned by digest in its spec.
/// </summary>
internal sealed class JobSubmitter(
    SubmitChecks checks,
    JobUpdater jobs,
    JobIdGenerator ids,
    ICoordinatorStore store,
    IOptions<CoordinatorOptions> options,
    TimeProvider timeProvider,
    ILogger<JobSubmitter> logger)
{
    public const string AnonymousOwner = "anonymous";

    /// <summary>Throws <see cref="SpecValidationException"/> listing every bad field. With <paramref name="jobId"/> (a
    /// client-chosen id) the submit is idempotent: a job already stored under that id by the same owner and name is
    /// returned as it is; one of another owner or name is a conflict (<see cref="JobIdTakenException"/>).</summary>
    public async Task<Job> SubmitAsync(JobSpec spec, string? callerUser, CancellationToken cancellationToken, string? jobId = null)
    {
        spec = spec.Clone();
        if (string.IsNullOrEmpty(spec.Owner))
        {
            spec.Owner = string.IsNullOrWhiteSpace(callerUser) ? AnonymousOwner : callerUser.Trim();
        }

        if (!string.IsNullOrEmpty(jobId) && await ExistingAsync(jobId, spec, cancellationToken) is { } existing)
        {
            return existing;
        }

        var (errors, dataset) = await checks.CheckAsync(spec, cancellationToken);
        if (errors.Count > 0)
        {
            var described = string.Join("; ", errors);
            JobLog.SubmitRefused(logger, described);
            throw new SpecValidationException(errors);
        }

        if (dataset?.Version is { } version)
        {
            // The job record pins the resolved version: a later push of the same name never changes what it trains on.
            // A spec that named the dataset by digest gets its registered name, which the agent fetches from.
            spec.Dataset.Name = version.Name;
            spec.Dataset.Version = version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            spec.Dataset.Digest = version.Digest;
        }

        var maxAttempts = spec.MaxAttempts > 0 ? spec.MaxAttempts : options.Value.DefaultMaxAttempts;
        // A command job (no dataset) pins its inputs by digest in the spec itself.
        var datasetDigest = spec.Command is null ? dataset!.Descriptor.Digest : "";
        var creation = JobTransitions.Create(string.IsNullOrEmpty(jobId) ? ids.Next() : jobId, spec, datasetDigest, maxAttempts, timeProvider.GetUtcNow());
        JobUpdate update;
        try
        {
            update = await jobs.CreateAsync(creation, cancellationToken);
        }
        catch (Exception) when (!string.IsNullOrEmpty(jobId) && !cancellationToken.IsCancellationRequested)
        {
            // The same submit arrived twice at once (a retry overtaking its original): the other one stored it.
            if (await ExistingAsync(jobId, spec, cancellationToken) is { } raced)
            {
                return raced;
            }

            throw;
        }

        JobLog.Submitted(logger, update.Job.Id, spec.Name, spec.Owner);
        return update.Job;
    }

    private async Task<Job?> ExistingAsync(string jobId, JobSpec spec, CancellationToken cancellationToken)
    {
        var existing = await store.GetJobAsync(jobId, cancellationToken);
        if (existing is null)
        {
            return null;
        }

        return existing.Spec.Owner == spec.Owner && existing.Spec.Name == spec.Name
            ? existing
            : throw new JobIdTakenException(jobId);
    }
}
