using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Deployments;

namespace MlOps.Coordinator.Retraining;

/// <summary>The steps of an active run: a finished retraining job is evaluated and canaried or rejected; a canary that
/// has served its period is promoted or rolled back.</summary>
internal sealed partial class RetrainingController
{
    private async Task AdvanceAsync(RetrainingRun run, RetrainingPolicy policy, CancellationToken cancellationToken)
    {
        var changed = run.State == RetrainingRunState.Training
            ? await AdvanceTrainingAsync(run, policy, cancellationToken)
            : await AdvanceCanaryAsync(run, policy, cancellationToken);
        if (changed)
        {
            Touch(run);
            await runs.PutRetrainingRunAsync(run, cancellationToken);
        }
    }

    private async Task<bool> AdvanceTrainingAsync(RetrainingRun run, RetrainingPolicy policy, CancellationToken cancellationToken)
    {
        var job = await jobs.GetJobAsync(run.JobId, cancellationToken);
        if (job is null)
        {
            // The coordinator stopped between storing the run and submitting its job.
            try
            {
                var production = await ResolveProductionAsync(policy, cancellationToken);
                await SubmitAsync(run, RetrainingSpec(production, policy), cancellationToken);
            }
            catch (RetrainingStartException ex)
            {
                Finish(run, RetrainingRunState.Failed, "fail", ex.Message);
                return true;
            }

            return false;
        }

        switch (job.State)
        {
            case JobState.Failed or JobState.Cancelled:
                Finish(run, RetrainingRunState.Failed, "fail",
                    $"retraining job {job.Id} ended {job.State.ToString().ToUpperInvariant()}: {(job.FailureReason.Length > 0 ? job.FailureReason : "no reason given")}");
                return true;
            case not JobState.Succeeded:
                return false;
        }

        run.CandidateVersion = job.Result?.ModelVersion ?? 0;
        run.Dataset = DatasetText(job.Spec.Dataset);
        var evaluation = RetrainingRules.Evaluate(job.Result?.Metrics ?? new Google.Protobuf.Collections.MapField<string, double>(), policy, run.Dataset, out var message);
        if (evaluation is null || run.CandidateVersion == 0)
        {
            Finish(run, RetrainingRunState.Rejected, "reject", run.CandidateVersion == 0 ? "the retraining job registered no model version" : message);
            return true;
        }

        run.Evaluation = evaluation;
        Decide(run, "evaluate", $"v{run.CandidateVersion} vs production v{run.ProductionVersion}: {message}", Evidence(evaluation, policy));
        if (!evaluation.Better)
        {
            Finish(run, RetrainingRunState.Rejected, "reject", $"v{run.CandidateVersion} is not promoted; production v{run.ProductionVersion} keeps serving");
            return true;
        }

        var deployment = await deployments.GetDeploymentAsync(run.Deployment, cancellationToken);
        if (deployment is null)
        {
            Finish(run, RetrainingRunState.Failed, "fail", $"deployment '{run.Deployment}' no longer exists");
            return true;
        }

        var spec = deployment.Spec.Clone();
        var percent = RetrainingPolicies.CanaryPercent(policy);
        spec.Canary = new CanarySpec { Target = new ModelTarget { Version = run.CandidateVersion }, Percent = percent };
        if (!await TryDeployAsync(run, spec, "canary", cancellationToken))
        {
            return true;
        }

        run.State = RetrainingRunState.Canary;
        Decide(run, "canary",
            $"v{run.CandidateVersion} takes {percent}% of deployment {run.Deployment}'s traffic for {RetrainingRules.Span(RetrainingPolicies.CanaryDuration(policy))} once loaded",
            new Dictionary<string, string> { ["percent"] = RetrainingRules.Number(percent), ["duration"] = RetrainingRules.Span(RetrainingPolicies.CanaryDuration(policy)) });
        return true;
    }

    private async Task<bool> AdvanceCanaryAsync(RetrainingRun run, RetrainingPolicy policy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stored = await deployments.GetDeploymentAsync(run.Deployment, cancellationToken);
        if (stored is null)
        {
            Finish(run, RetrainingRunState.Failed, "fail", $"deployment '{run.Deployment}' was deleted during the canary");
            return true;
        }

        if (stored.Spec.Canary?.Target?.Version != run.CandidateVersion)
        {
            Finish(run, RetrainingRunState.Failed, "fail",
                $"deployment '{run.Deployment}' was changed during the canary (its canary is no longer v{run.CandidateVersion}); leaving it as it is");
            return true;
        }

        var live = reconciler.Live(run.Deployment) is { } view && view.Revision == stored.Revision && view.Spec.Equals(stored.Spec) ? view : null;
        if (live?.Phase == DeploymentPhase.Failed)
        {
            return await RollBackAsync(run, stored, $"the canary failed to load: {live.Message}", new Dictionary<string, string>(), cancellationToken);
        }

        if (run.CanaryStartedAt is null)
        {
            if (live is not null && live.Traffic.Any(t => t.Version == run.CandidateVersion && t.Percent > 0))
            {
                run.CanaryStartedAt = Timestamp.FromDateTimeOffset(now);
                Decide(run, "canary", $"v{run.CandidateVersion} is serving its share on every replica; the canary period starts", new Dictionary<string, string>());
                return true;
            }

            var deployedAt = run.Decisions.LastOrDefault(d => d.Step == "canary")?.At?.ToDateTimeOffset() ?? now;
            return now - deployedAt > options.Value.RolloutTimeout
                && await RollBackAsync(run, stored, $"the canary was not serving within {RetrainingRules.Span(options.Value.RolloutTimeout)}: {live?.Message ?? stored.Message}",
                    new Dictionary<string, string>(), cancellationToken);
        }

        if (now - run.CanaryStartedAt.ToDateTimeOffset() < RetrainingPolicies.CanaryDuration(policy))
        {
            return false;
        }

        var versions = monitor.Get(run.Deployment).Versions;
        var verdict = RetrainingRules.JudgeCanary(policy, versions.FirstOrDefault(v => v.Version == run.ProductionVersion),
            versions.FirstOrDefault(v => v.Version == run.CandidateVersion), monitoring.Value.For(run.Deployment).MinLabels);
        if (!verdict.Promote)
        {
            return await RollBackAsync(run, stored, verdict.Message, verdict.Evidence, cancellationToken);
        }

        var alias = RetrainingPolicies.PromoteAlias(policy);
        await registry.SetAliasAsync(run.Model, alias, run.CandidateVersion, cancellationToken);
        var spec = stored.Spec.Clone();
        spec.Canary = null;
        if (spec.Target?.Alias != alias)
        {
            spec.Target = new ModelTarget { Version = run.CandidateVersion };
        }

        if (await TryDeployAsync(run, spec, "promote", cancellationToken))
        {
            var evidence = new Dictionary<string, string>(verdict.Evidence) { ["alias"] = $"{alias} -> v{run.CandidateVersion}" };
            Finish(run, RetrainingRunState.Promoted, "promote",
                $"v{run.CandidateVersion} takes all of deployment {run.Deployment}'s traffic and alias {alias}: {verdict.Message}", evidence);
        }

        return true;
    }

    private async Task<bool> RollBackAsync(RetrainingRun run, Deployment stored, string why, IReadOnlyDictionary<string, string> evidence, CancellationToken cancellationToken)
    {
        var spec = stored.Spec.Clone();
        spec.Canary = null;
        if (await TryDeployAsync(run, spec, "rollback", cancellationToken))
        {
            Finish(run, RetrainingRunState.RolledBack, "rollback", $"{why}; production v{run.ProductionVersion} takes all traffic again", evidence);
        }

        return true;
    }

    /// <summary>Deploys; on a refusal (the model or alias vanished) fails the run with the reason instead.</summary>
    private async Task<bool> TryDeployAsync(RetrainingRun run, DeploymentSpec spec, string step, CancellationToken cancellationToken)
    {
        try
        {
            await deploy.DeployAsync(spec, cancellationToken);
            return true;
        }
        catch (DeploymentException ex)
        {
            Finish(run, RetrainingRunState.Failed, "fail", $"{step}: the deployment refused the change: {string.Join("; ", ex.Errors)}");
            return false;
        }
    }

    private static Dictionary<string, string> Evidence(CandidateEvaluation evaluation, RetrainingPolicy policy) => new()
    {
        ["dataset"] = evaluation.Dataset,
        ["samples"] = RetrainingRules.Number(evaluation.Samples),
        ["candidate_accuracy"] = RetrainingRules.Number(evaluation.CandidateAccuracy),
        ["production_accuracy"] = RetrainingRules.Number(evaluation.ProductionAccuracy),
        ["only_candidate_right"] = RetrainingRules.Number(evaluation.CandidateOnlyCorrect),
        ["only_production_right"] = RetrainingRules.Number(evaluation.ProductionOnlyCorrect),
        ["mcnemar_p"] = RetrainingRules.PValue(evaluation.PValue),
        ["min_improvement"] = RetrainingRules.Number(policy.MinImprovement),
        ["significance"] = RetrainingRules.Number(policy.Significance),
    };
}
