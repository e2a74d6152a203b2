using System.Diagnostics;
using MlOps.LoadTest.Results;
using MlOps.LoadTest.Scenarios;
using MlOps.LoadTest.Transports;

namespace MlOps.LoadTest.Running;

/// <summary>
/// Drives one scenario's load through a transport and measures it: warm-up first (same load model, not recorded),
/// then the measured window, bounded by duration, request count or the ramp's steps. A duration-bound window also
/// lasts until every action has ended, so a rollout started during the load is covered by it. Thresholds are not
/// evaluated here.
/// </summary>
public sealed class LoadRunner
{
    private readonly TextWriter? _progress;

    /// <param name="progress">Where a line per second goes while the load runs (stderr for the CLI); null for none.</param>
    public LoadRunner(TextWriter? progress = null)
    {
        _progress = progress;
    }

    /// <summary>Runs <paramref name="scenario"/>'s load against <paramref name="transport"/>, cycling through
    /// <paramref name="payloadCount"/> payloads. Cancelling stops the load early and still returns what was measured.</summary>
    public async Task<RunResult> RunAsync(Scenario scenario, ILoadTransport transport, int payloadCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(payloadCount);
        var window = scenario.Load is RampLoad ramp ? ramp.Duration : scenario.Duration;
        var recorder = new LatencyRecorder(window is { } w ? (int)Math.Ceiling(w.TotalSeconds) : 3600);
        var run = new RunState(scenario, transport, payloadCount, recorder, window);
        using var stopOnCancel = cancellationToken.Register(run.Stop);

        var started = DateTimeOffset.UtcNow;
        var t0 = Stopwatch.GetTimestamp();
        run.WindowStart = t0 + Ticks(scenario.WarmUp);
        recorder.StartWindow(run.WindowStart);
        var actions = scenario.Actions.Select(a => ActionRunner.RunAsync(a, run.WindowStart, cancellationToken)).ToList();
        run.ActionsPending = actions.Count;
        var actionsDone = Task.WhenAll(actions).ContinueWith(_ => run.ActionsFinished(), TaskScheduler.Default);
        using var progressStop = new CancellationTokenSource();
        var progress = _progress is null ? Task.CompletedTask : ReportProgressAsync(run, progressStop.Token);

        var load = scenario.Load switch
        {
            ClosedLoad closed => ClosedModel.RunAsync(run, closed),
            OpenLoad open => OpenModel.RunAsync(run, OpenModel.Phases(open, scenario), open.MaxInFlight),
            RampLoad r => OpenModel.RunAsync(run, OpenModel.Phases(r, scenario), r.MaxInFlight),
            _ => throw new ArgumentException($"unknown load model {scenario.Load.GetType().Name}", nameof(scenario)),
        };
        await load.ConfigureAwait(false);
        var events = await Task.WhenAll(actions).ConfigureAwait(false);
        await actionsDone.ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);

        var windowStarted = started + scenario.WarmUp;
        var last = recorder.LastCompletion;
        var seconds = last > run.WindowStart ? (last - run.WindowStart) / (double)Stopwatch.Frequency : 0;
        return new RunResult
        {
            Scenario = scenario.Name,
            Transport = scenario.Transport == TransportKind.Grpc ? "grpc" : "rest",
            Target = scenario.Target.ToString(),
            Model = scenario.Version is null ? scenario.Model : $"{scenario.Model}:{scenario.Version}",
            BatchSize = scenario.BatchSize,
            LoadModel = scenario.Load.Describe(),
            Users = (scenario.Load as ClosedLoad)?.Users,
            TargetRate = scenario.Load switch
            {
                OpenLoad open => open.Rate,
                RampLoad r => r.IntendedRequests / r.Duration.TotalSeconds,
                _ => null,
            },
            AchievedSendRate = run.AchievedSendRate(),
            StartedAt = windowStarted,
            DurationSeconds = seconds,
            Requests = recorder.Requests,
            Errors = recorder.Errors,
            ErrorsByStatus = recorder.ErrorsByStatus(),
            Throughput = seconds > 0 ? recorder.Requests / seconds : 0,
            Latency = recorder.Summary(),
            Distribution = recorder.Distribution(),
            Series = recorder.Series(),
            Events = events,
        };
    }

    internal static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private async Task ReportProgressAsync(RunState run, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                if (now < run.WindowStart)
                {
                    await _progress!.WriteLineAsync($"[{run.Scenario.Name}] warming up").ConfigureAwait(false);
                    continue;
                }

                var second = (int)((now - run.WindowStart) / Stopwatch.Frequency) - 1;
                if (second >= 0 && run.Recorder.Second(second) is { } s)
                {
                    await _progress!.WriteLineAsync(
                        $"[{run.Scenario.Name}] {second + 1,4}s  {s.Requests,8:N0} req/s  p50 {s.P50,8:0.###} ms  p99 {s.P99,8:0.###} ms  errors {s.Errors:N0}")
                        .ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
