using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Planning;

namespace MlOps.Pipelines.Running;

/// <summary>
/// Runs a <see cref="PipelinePlan"/>: a step starts once every step it depends on has succeeded or been served
/// from the cache, up to <see cref="PipelineRunnerOptions.MaxParallelism"/> at a time, taken in plan order. A step
/// whose cache key (<see cref="StepCacheKey"/>) is in the cache is not run: it is marked
/// <see cref="StepRunState.Cached"/> with the stored outputs. A failure fails the run and skips the steps
/// downstream of it (saying why); cancellation stops the run. Every change is reported, as a whole new
/// <see cref="PipelineRunRecord"/>, to the observer.
/// <para>All state changes happen on one loop that reads the steps' events from a channel, so the records and
/// the observer calls are strictly ordered; the steps themselves (input resolution, cache lookup, execution)
/// run as concurrent tasks.</para>
/// </summary>
public sealed partial class PipelineRunner
{
    private readonly IStepExecutor _executor;
    private readonly IStepCache _cache;
    private readonly IArtifactResolver _resolver;
    private readonly TimeProvider _time;
    private readonly PipelineRunnerOptions _options;

    public PipelineRunner(IStepExecutor executor, IStepCache cache, IArtifactResolver resolver, TimeProvider time, PipelineRunnerOptions? options = null)
    {
        _executor = executor;
        _cache = cache;
        _resolver = resolver;
        _time = time;
        _options = options ?? new PipelineRunnerOptions();
        var problems = _options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid pipeline runner options: " + string.Join("; ", problems), nameof(options));
        }
    }

    /// <summary>
    /// Runs the plan to the end and returns the final record (also the observer's last). Cancelling
    /// <paramref name="cancellationToken"/> cancels the running steps, skips the rest, and returns a record in
    /// state <see cref="PipelineRunState.Cancelled"/> rather than throwing, so the caller can store it.
    /// </summary>
    public async Task<PipelineRunRecord> RunAsync(PipelinePlan plan, string runId, IPipelineRunObserver? observer = null, CancellationToken cancellationToken = default)
    {
        var run = new RunLoop(this, plan, runId, observer);
        return await run.RunAsync(cancellationToken);
    }

    /// <summary>One run's state, owned by its loop.</summary>
    private sealed class RunLoop(PipelineRunner runner, PipelinePlan plan, string runId, IPipelineRunObserver? observer)
    {
        private readonly StepRunRecord[] _steps = [.. plan.Steps.Select(s => new StepRunRecord { Name = s.Name, Kind = s.Kind })];
        private readonly Dictionary<string, int> _index = plan.Steps.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        private readonly bool[] _launched = new bool[plan.Steps.Count];
        private readonly Channel<StepEvent> _events = Channel.CreateUnbounded<StepEvent>(new UnboundedChannelOptions { SingleReader = true });
        private readonly List<Task> _tasks = [];
        private PipelineRunRecord _record = null!;
        private string? _stopReason;
        private string? _firstFailure;
        private bool _cancelled;
        private ExceptionDispatchInfo? _observerFailure;

        public async Task<PipelineRunRecord> RunAsync(CancellationToken cancellationToken)
        {
            using var stepsCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var registration = cancellationToken.Register(() => _events.Writer.TryWrite(StepEvent.CancelRequested));
            _record = new PipelineRunRecord
            {
                RunId = runId,
                PipelineName = plan.Name,
                Parameters = plan.Parameters,
                Steps = [.. _steps],
                StartedAt = runner._time.GetUtcNow(),
                Sequence = 1,
            };
            await PublishAsync(_record, stepsCancellation);

            var active = 0;
            while (true)
            {
                if (_stopReason is null && cancellationToken.IsCancellationRequested)
                {
                    Cancel();
                }

                if (_stopReason is null)
                {
                    active += LaunchReady(active, stepsCancellation.Token);
                }

                if (active == 0)
                {
                    break;
                }

                var next = await _events.Reader.ReadAsync(CancellationToken.None);
                if (next.Index < 0)
                {
                    if (_stopReason is not null)
                    {
                        continue;
                    }

                    Cancel();
                }
                else
                {
                    Apply(next);
                    if (_steps[next.Index].IsFinished)
                    {
                        active--;
                    }
                }

                await PublishAsync(Snapshot(), stepsCancellation);
            }

            await Task.WhenAll(_tasks);
            var final = Snapshot() with
            {
                State = FinalState(),
                FinishedAt = runner._time.GetUtcNow(),
                Error = _firstFailure ?? (_cancelled ? _stopReason : null),
            };
            await PublishAsync(final, stepsCancellation);
            _observerFailure?.Throw();
            return _record;
        }

        private int LaunchReady(int active, CancellationToken cancellationToken)
        {
            var launched = 0;
            for (var i = 0; i < plan.Steps.Count && active + launched < runner._options.MaxParallelism; i++)
            {
                var step = plan.Steps[i];
                if (_launched[i] || _steps[i].State != StepRunState.Pending ||
                    !step.Dependencies.All(d => _steps[_index[d]].HasOutputs))
                {
                    continue;
                }

                _launched[i] = true;
                launched++;
                var upstream = new Dictionary<string, ResolvedArtifact>(StringComparer.Ordinal);
                foreach (var input in step.Inputs)
                {
                    if (input.Source is Specs.StepOutputReference from)
                    {
                        upstream[input.Name] = _steps[_index[from.Step]].Outputs[from.Output];
                    }
                }

                var index = i;
                _tasks.Add(Task.Run(() => runner.RunStepAsync(index, plan, runId, upstream, _events.Writer, cancellationToken), CancellationToken.None));
            }

            return launched;
        }

        private void Apply(StepEvent change)
        {
            var step = _steps[change.Index];
            _steps[change.Index] = step with
            {
                State = change.State,
                CacheKey = change.CacheKey ?? step.CacheKey,
                Inputs = change.Inputs ?? step.Inputs,
                Outputs = change.Outputs ?? step.Outputs,
                StartedAt = step.StartedAt ?? (change.State is StepRunState.Running or StepRunState.Cached ? change.At : null),
                FinishedAt = change.State is StepRunState.Running ? null : change.At,
                Error = change.Error,
                Warning = change.Warning,
            };

            if (change.State != StepRunState.Failed)
            {
                return;
            }

            var name = step.Name;
            _firstFailure ??= $"step '{name}' failed: {change.Error}";
            foreach (var downstream in plan.Downstream(name))
            {
                Skip(_index[downstream], $"upstream step '{name}' failed");
            }

            if (runner._options.FailFast)
            {
                _stopReason ??= $"step '{name}' failed";
                SkipPending($"not started: step '{name}' failed");
            }
        }

        private void Cancel()
        {
            _cancelled = true;
            _stopReason ??= "the run was cancelled";
            SkipPending("not started: the run was cancelled");
        }

        private void SkipPending(string reason)
        {
            for (var i = 0; i < _steps.Length; i++)
            {
                Skip(i, reason);
            }
        }

        private void Skip(int index, string reason)
        {
            if (!_launched[index] && _steps[index].State == StepRunState.Pending)
            {
                _steps[index] = _steps[index] with { State = StepRunState.Skipped, Reason = reason, FinishedAt = runner._time.GetUtcNow() };
            }
        }

        private PipelineRunState FinalState() =>
            _firstFailure is not null ? PipelineRunState.Failed
            : _cancelled || _steps.Any(s => s.State is StepRunState.Cancelled or StepRunState.Skipped) ? PipelineRunState.Cancelled
            : PipelineRunState.Succeeded;

        private PipelineRunRecord Snapshot() => _record with { Steps = ImmutableArray.Create(_steps), Sequence = _record.Sequence + 1 };

        private async ValueTask PublishAsync(PipelineRunRecord record, CancellationTokenSource stepsCancellation)
        {
            _record = record;
            if (observer is null || _observerFailure is not null)
            {
                return;
            }

            try
            {
                await observer.OnRunChangedAsync(_record, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The run's record can no longer be kept: stop it rather than run steps nobody can see.
                _observerFailure = ExceptionDispatchInfo.Capture(ex);
                _stopReason ??= "the run's observer failed";
                _cancelled = true;
                SkipPending($"not started: the run's observer failed: {ex.Message}");
                await stepsCancellation.CancelAsync();
            }
        }
    }
}
