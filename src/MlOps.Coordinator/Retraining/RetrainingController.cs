using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Deployments;
using MlOps.Coordinator.HighAvailability;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Monitoring;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Retraining;

/// <summary>
/// Closes the loop for every model with a retraining policy (docs/retraining.md). Each pass, per model: advance the
/// active run, or check the triggers and start one. A run retrains the production version's job on the newest dataset
/// version with production as the job's baseline (the agent compares both on the held-out split), canaries a better
/// candidate, and after the canary period promotes it or rolls it back. Every step is stored with its evidence before
/// the next one starts, so a coordinator that fails over picks the run up where it was. Leader only.
/// </summary>
internal sealed partial class RetrainingController(
    IRetrainingStore runs,
    ICoordinatorStore jobs,
    IRegistryStore registry,
    IDeploymentStore deployments,
    DeploymentReconciler reconciler,
    DeploymentCommands deploy,
    JobSubmitter submitter,
    DriftMonitor monitor,
    JobIdGenerator ids,
    IOptions<RetrainingOptions> options,
    IOptions<MonitoringOptions> monitoring,
    TimeProvider time,
    Leadership leadership,
    ILogger<RetrainingController> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RetrainingSignal _wake = new();
    private readonly HashSet<string> _waitingForData = new(StringComparer.Ordinal);

    /// <summary>Runs a pass soon instead of at the next interval (a policy changed).</summary>
    public void Wake() => _wake.Request();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await _wake.WaitAsync(options.Value.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                RetrainingLog.PassFailed(logger, ex);
                await Task.Delay(options.Value.Interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>One pass over every policy; a model whose step fails is logged and retried next pass.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var policy in await runs.ListRetrainingPoliciesAsync(cancellationToken))
            {
                try
                {
                    var last = await LastRunAsync(policy.Model, cancellationToken);
                    if (last is { State: RetrainingRunState.Training or RetrainingRunState.Canary })
                    {
                        await AdvanceAsync(last, policy, cancellationToken);
                    }
                    else
                    {
                        await MaybeStartAsync(policy, last, cancellationToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    RetrainingLog.ModelStepFailed(logger, policy.Model, ex);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts a run now, whatever the triggers and cooldown say.</summary>
    /// <exception cref="RetrainingException">No policy for the model, or a run of it is still active.</exception>
    public async Task<RetrainingRun> TriggerAsync(string model, string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var policy = await runs.GetRetrainingPolicyAsync(model, cancellationToken)
                ?? throw new RetrainingException(RetrainingError.NotFound, "model",
                    $"model '{model}' has no retraining policy; set one with 'mlops retrain policy set {model}'");
            var last = await LastRunAsync(model, cancellationToken);
            if (last is { State: RetrainingRunState.Training or RetrainingRunState.Canary })
            {
                throw new RetrainingException(RetrainingError.FailedPrecondition, "model",
                    $"run {last.Id} of model '{model}' is still {RetrainingText.State(last.State)}; wait for it to end");
            }

            var trigger = new RetrainingTrigger("manual", reason.Length > 0 ? $"started by hand: {reason}" : "started by hand",
                new Dictionary<string, string>());
            return await StartAsync(policy, trigger, production: null, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task MaybeStartAsync(RetrainingPolicy policy, RetrainingRun? last, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (policy.Paused || (last?.FinishedAt is { } finished && now - finished.ToDateTimeOffset() < RetrainingPolicies.Cooldown(policy)))
        {
            return;
        }

        Production production;
        try
        {
            production = await ResolveProductionAsync(policy, cancellationToken);
        }
        catch (RetrainingStartException)
        {
            return; // Nothing serves the model (yet): nothing to watch. A manual trigger reports why.
        }

        var datasetName = production.DatasetName;
        var newest = datasetName.Length > 0 ? await registry.GetLatestDatasetVersionAsync(datasetName, cancellationToken) : null;
        var inputs = new TriggerInputs(policy, now, Fresh(monitor.Get(production.Deployment.Spec.Name), production.Version, now),
            monitoring.Value.For(production.Deployment.Spec.Name).MinLabels, last, datasetName, newest?.Version ?? 0,
            int.TryParse(production.Model.Lineage?.DatasetVersion, out var trainedOn) ? trainedOn : 0);
        if (RetrainingRules.FindTrigger(inputs) is not { } trigger)
        {
            return;
        }

        var newestDataset = newest is null ? "" : $"{newest.Name}@{newest.Version}";
        if (RetrainingRules.WouldRepeat(last, policy, production.Version, newestDataset))
        {
            if (_waitingForData.Add($"{policy.Model}/{last!.Id}"))
            {
                RetrainingLog.WaitingForData(logger, policy.Model, trigger.Name, last.Id, newestDataset);
            }

            return;
        }

        await StartAsync(policy, trigger, production, cancellationToken);
    }

    private async Task<RetrainingRun> StartAsync(RetrainingPolicy policy, RetrainingTrigger trigger, Production? production, CancellationToken cancellationToken)
    {
        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var run = new RetrainingRun
        {
            Id = "r-" + ids.Next()[JobIdGenerator.Prefix.Length..],
            Model = policy.Model,
            Deployment = RetrainingPolicies.Deployment(policy),
            State = RetrainingRunState.Training,
            Trigger = trigger.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Decide(run, "trigger", trigger.Message, trigger.Evidence);
        try
        {
            production ??= await ResolveProductionAsync(policy, cancellationToken);
        }
        catch (RetrainingStartException ex)
        {
            Finish(run, RetrainingRunState.Failed, "fail", ex.Message);
            await runs.PutRetrainingRunAsync(run, cancellationToken);
            return run;
        }

        run.ProductionVersion = production.Version;
        run.JobId = ids.Next();
        var spec = RetrainingSpec(production, policy);
        Decide(run, "submit",
            $"retraining job {run.JobId} from production v{production.Version}'s job {production.Job.Id} on the newest version of {spec.Dataset.Name}, compared with v{production.Version}",
            new Dictionary<string, string>
            {
                ["job_id"] = run.JobId,
                ["production_job"] = production.Job.Id,
                ["epochs"] = RetrainingRules.Number(spec.HyperParameters.Epochs),
                ["learning_rate"] = RetrainingRules.Number(spec.HyperParameters.LearningRate),
                ["batch_size"] = RetrainingRules.Number(spec.HyperParameters.BatchSize),
                ["seed"] = RetrainingRules.Number(spec.Seed),
            });
        // Stored before the submit: after a crash in between, the next pass submits again under the same job id,
        // which the submit treats as the same job.
        await runs.PutRetrainingRunAsync(run, cancellationToken);
        await SubmitAsync(run, spec, cancellationToken);
        return run;
    }

    private async Task SubmitAsync(RetrainingRun run, JobSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var job = await submitter.SubmitAsync(spec, callerUser: null, cancellationToken, run.JobId);
            run.Dataset = DatasetText(job.Spec.Dataset);
        }
        catch (SpecValidationException ex)
        {
            Finish(run, RetrainingRunState.Failed, "fail", $"the retraining job was refused: {ex.Message}");
        }

        Touch(run);
        await runs.PutRetrainingRunAsync(run, cancellationToken);
    }

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

    private void Decide(RetrainingRun run, string step, string message, IReadOnlyDictionary<string, string>? evidence = null)
    {
        var decision = new RetrainingDecision { At = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Step = step, Message = message };
        if (evidence is not null)
        {
            foreach (var (key, value) in evidence)
            {
                decision.Evidence[key] = value;
            }
        }

        run.Decisions.Add(decision);
        run.Message = message;
        RetrainingLog.Decision(logger, run.Id, run.Model, step, message);
    }

    private void Finish(RetrainingRun run, RetrainingRunState state, string step, string message, IReadOnlyDictionary<string, string>? evidence = null)
    {
        run.State = state;
        Decide(run, step, message, evidence);
        run.FinishedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        Touch(run);
    }

    private async Task<RetrainingRun?> LastRunAsync(string model, CancellationToken cancellationToken)
    {
        var last = await runs.ListRetrainingRunsAsync(model, 1, cancellationToken);
        return last.Count > 0 ? last[0] : null;
    }

    private void Touch(RetrainingRun run) => run.UpdatedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());

    private static string DatasetText(DatasetRef? dataset) =>
        dataset is null ? "" : dataset.Version.Length > 0 ? $"{dataset.Name}@{dataset.Version}" : dataset.Name;

    /// <summary>The monitor's view of <paramref name="version"/> unless its newest window is older than the evaluation
    /// window: a verdict from traffic that has stopped is no reason to retrain.</summary>
    private VersionMonitor? Fresh(ModelMonitor model, int version, DateTimeOffset now) =>
        model.Versions.FirstOrDefault(v => v.Version == version) is { } view &&
        view.WindowEnd is not null && now - view.WindowEnd.ToDateTimeOffset() <= monitoring.Value.EvaluationWindow
            ? view
            : null;
}
