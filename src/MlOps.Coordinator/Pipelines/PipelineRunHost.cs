using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.HighAvailability;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Running;
using RunState = MlOps.Contracts.PipelineRunState;

namespace MlOps.Coordinator.Pipelines;

/// <summary>
/// Runs pipelines in the background with <see cref="PipelineRunner"/>, storing every change of a run. Leader only:
/// the API that starts runs answers on the leader, and at start-up the leader marks runs that a previous coordinator
/// left RUNNING as FAILED (a re-run is cheap: the steps that finished come from the cache). A coordinator that shuts
/// down stops its runs without storing that, so the next one reports them the same way; their jobs keep running.
/// </summary>
internal sealed class PipelineRunHost(
    IPipelineStore store,
    ActivePipelineRuns runs,
    IStepExecutor executor,
    IStepCache cache,
    IArtifactResolver resolver,
    JobIdGenerator ids,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    Leadership leadership,
    ILogger<PipelineRunHost> logger) : BackgroundService
{
    public const string RestartedMessage = "coordinator restarted; run it again — finished steps come from the cache";

    /// <summary>Most runs looked at for leftovers at start-up (newest first).</summary>
    public const int RecoveryScanLimit = 10_000;

    private readonly CancellationTokenSource _shutdown = new();
    private volatile bool _shuttingDown;

    /// <summary>Stores the run RUNNING with every step PENDING and starts it; returns that first record.</summary>
    public async Task<PipelineRun> StartAsync(PipelinePlan plan, string yaml, string owner, bool noCache, CancellationToken cancellationToken)
    {
        var id = "p-" + ids.Next()[JobIdGenerator.Prefix.Length..];
        var header = PipelineRunMapping.NewRun(id, plan, yaml, owner, noCache, time.GetUtcNow());
        await store.PutPipelineRunAsync(header, cancellationToken);
        var active = runs.Add(id, owner, _shutdown.Token);
        PipelinesLog.Started(logger, id, plan.Name, plan.Steps.Count, owner);
        _ = Task.Run(() => RunAsync(plan, header, active), CancellationToken.None);
        return header;
    }

    /// <summary>Cancels a run and returns its record once stopped. Throws <see cref="KeyNotFoundException"/> for an
    /// unknown run and <see cref="InvalidOperationException"/> for one that has ended.</summary>
    public async Task<PipelineRun> CancelAsync(string id, CancellationToken cancellationToken)
    {
        var active = runs.Find(id);
        if (active is not null)
        {
            active.CancelByUser();
            await active.Completion.Task.WaitAsync(cancellationToken);
        }

        var stored = await store.GetPipelineRunAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"pipeline run '{id}' not found");
        if (stored.State != RunState.Running)
        {
            return active is not null ? stored : throw new InvalidOperationException($"pipeline run '{id}' has already ended {stored.State.ToString().ToUpperInvariant()}");
        }

        // RUNNING in the store but not here: left by a previous coordinator and not yet marked.
        var ended = Abandon(stored, "cancelled", RunState.Cancelled);
        await store.PutPipelineRunAsync(ended, cancellationToken);
        return ended;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        try
        {
            foreach (var run in await store.ListPipelineRunsAsync(null, RecoveryScanLimit, stoppingToken))
            {
                if (run.State == RunState.Running && !runs.IsActive(run.Id))
                {
                    await store.PutPipelineRunAsync(Abandon(run, RestartedMessage, RunState.Failed), stoppingToken);
                    PipelinesLog.Abandoned(logger, run.Id, run.Pipeline);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            PipelinesLog.RecoveryFailed(logger, ex);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _shuttingDown = true;
        await _shutdown.CancelAsync();
        var stopping = runs.All.Select(r => r.Completion.Task).ToArray();
        await Task.WhenAll(stopping).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _shutdown.Dispose();
        base.Dispose();
    }

    private async Task RunAsync(PipelinePlan plan, PipelineRun header, ActiveRun active)
    {
        var observer = new StoringObserver(header, store, active, () => _shuttingDown && !active.CancelledByUser);
        try
        {
            var runner = new PipelineRunner(executor, cache, resolver, time,
                new PipelineRunnerOptions { MaxParallelism = options.Value.MaxParallelism, UseCache = !header.NoCache });
            var final = await runner.RunAsync(plan, header.Id, observer, active.Cancellation.Token);
            var state = final.State.ToString().ToUpperInvariant();
            PipelinesLog.Finished(logger, header.Id, header.Pipeline, state);
        }
        catch (Exception ex)
        {
            PipelinesLog.RunCrashed(logger, header.Id, header.Pipeline, ex);
            await TryStoreCrashAsync(observer.Last ?? header, ex);
        }
        finally
        {
            active.Completion.TrySetResult();
            runs.Remove(active);
        }
    }

    private async Task TryStoreCrashAsync(PipelineRun last, Exception error)
    {
        if (_shuttingDown)
        {
            return;
        }

        try
        {
            await store.PutPipelineRunAsync(Abandon(last, $"the run stopped: {error.Message}", RunState.Failed), CancellationToken.None);
        }
        catch (Exception ex)
        {
            PipelinesLog.RunCrashed(logger, last.Id, last.Pipeline, ex);
        }
    }

    /// <summary>The run ended from outside the runner: unfinished steps end too, saying why.</summary>
    private PipelineRun Abandon(PipelineRun run, string why, RunState state)
    {
        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var ended = run.Clone();
        ended.State = state;
        ended.Error = why;
        ended.FinishedAt = now;
        foreach (var step in ended.Steps)
        {
            if (step.State == PipelineStepState.Running)
            {
                step.State = state == RunState.Cancelled ? PipelineStepState.Cancelled : PipelineStepState.Failed;
                step.Error = why;
                step.FinishedAt = now;
            }
            else if (step.State == PipelineStepState.Pending)
            {
                step.State = PipelineStepState.Skipped;
                step.Reason = $"not started: {why}";
                step.FinishedAt = now;
            }
        }

        return ended;
    }

    /// <summary>Stores each snapshot of a run, in order; nothing once the coordinator is shutting down.</summary>
    private sealed class StoringObserver(PipelineRun header, IPipelineStore store, ActiveRun run, Func<bool> silenced) : IPipelineRunObserver
    {
        private long _sequence;

        public PipelineRun? Last { get; private set; }

        public async ValueTask OnRunChangedAsync(PipelineRunRecord record, CancellationToken cancellationToken)
        {
            if (record.Sequence <= _sequence || silenced())
            {
                return;
            }

            _sequence = record.Sequence;
            var message = PipelineRunMapping.Apply(header, record, run.JobOf);
            await store.PutPipelineRunAsync(message, CancellationToken.None);
            Last = message;
        }
    }
}
