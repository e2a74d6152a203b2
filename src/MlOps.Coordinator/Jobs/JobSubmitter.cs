using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Accepts a job: fills in defaults (owner, max attempts), checks the spec and its dataset with
/// <see cref="SubmitChecks"/> (every problem at once; nothing is stored for an invalid spec), pins a registered
/// dataset's version and digest in the spec, then stores it QUEUED and wakes the scheduler.
/// </summary>
internal sealed class JobSubmitter(
    SubmitChecks checks,
    JobUpdater jobs,
    JobIdGenerator ids,
    IOptions<CoordinatorOptions> options,
    TimeProvider timeProvider,
    ILogger<JobSubmitter> logger)
{
    public const string AnonymousOwner = "anonymous";

    /// <summary>Throws <see cref="SpecValidationException"/> listing every bad field.</summary>
    public async Task<Job> SubmitAsync(JobSpec spec, string? callerUser, CancellationToken cancellationToken)
    {
        spec = spec.Clone();
        if (string.IsNullOrEmpty(spec.Owner))
        {
            spec.Owner = string.IsNullOrWhiteSpace(callerUser) ? AnonymousOwner : callerUser.Trim();
        }

        var (errors, dataset) = await checks.CheckAsync(spec, cancellationToken);
        if (errors.Count > 0)
        {
            var described = string.Join("; ", errors);
            JobLog.SubmitRefused(logger, described);
            throw new SpecValidationException(errors);
        }

        if (dataset!.Version is { } version)
        {
            // The job record pins the resolved version: a later push of the same name never changes what it trains on.
            // A spec that named the dataset by digest gets its registered name, which the agent fetches from.
            spec.Dataset.Name = version.Name;
            spec.Dataset.Version = version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            spec.Dataset.Digest = version.Digest;
        }

        var maxAttempts = spec.MaxAttempts > 0 ? spec.MaxAttempts : options.Value.DefaultMaxAttempts;
        var creation = JobTransitions.Create(ids.Next(), spec, dataset.Descriptor.Digest, maxAttempts, timeProvider.GetUtcNow());
        var update = await jobs.CreateAsync(creation, cancellationToken);
        JobLog.Submitted(logger, update.Job.Id, spec.Name, spec.Owner);
        return update.Job;
    }
}
