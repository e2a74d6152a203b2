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
            var policies = (await runs.ListRetrainingPoliciesAsync(cancellationToken)).ToDictionary(p => p.Model, StringComparer.Ordinal);
            var models = new SortedSet<string>(policies.Keys, StringComparer.Ordinal);
            // A model whose policy was deleted during a run still finishes that run.
            foreach (var run in await runs.ListRetrainingRunsAsync(null, ActiveRunScan, cancellationToken))
            {
                if (IsActive(run))
                {
                    models.Add(run.Model);
                }
            }

            foreach (var model in models)
            {
                try
                {
                    var last = await LastRunAsync(model, cancellationToken);
                    if (last is not null && IsActive(last))
                    {
                        // The run follows the policy it started under, not one changed since.
                        await AdvanceAsync(last, last.Policy ?? policies.GetValueOrDefault(model) ?? new RetrainingPolicy { Model = model }, cancellationToken);
                    }
                    else if (policies.TryGetValue(model, out var policy))
                    {
                        await MaybeStartAsync(policy, last, cancellationToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    RetrainingLog.ModelStepFailed(logger, model, ex);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many of the newest runs a pass looks through for active runs of models without a policy.</summary>
    public const int ActiveRunScan = 500;

    private static bool IsActive(RetrainingRun run) => run.State is RetrainingRunState.Training or RetrainingRunState.Canary;

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
            if (last is not null && IsActive(last))
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
            Policy = policy.Clone(),
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
