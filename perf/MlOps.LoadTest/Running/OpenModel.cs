using System.Diagnostics;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Running;

/// <summary>
/// Constant-rate arrivals from one pacing thread. Request <c>i</c> of a phase is due at
/// <c>phase start + i / rate</c>; the pacer sends it then (or at once, if it is behind) without waiting for earlier
/// answers, and its latency is taken from that due time. A stall therefore shows in every request that should have
/// been sent during it, which is the coordinated-omission correction wrk2 made popular.
/// </summary>
internal static class OpenModel
{
    /// <summary>The pacer's clock resolution: it sleeps at least this long between wake-ups.</summary>
    internal static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(1);

    /// <summary>A stretch of constant rate, in seconds from the start of the warm-up.</summary>
    internal sealed record Phase(double Rate, double StartSeconds, double EndSeconds);

    public static IReadOnlyList<Phase> Phases(OpenLoad load, Scenario scenario)
    {
        var warm = scenario.WarmUp.TotalSeconds;
        var measured = scenario.Duration?.TotalSeconds ?? double.PositiveInfinity;
        return [new Phase(load.Rate, 0, warm + measured)];
    }

    public static IReadOnlyList<Phase> Phases(RampLoad load, Scenario scenario)
    {
        var phases = new List<Phase>();
        var at = scenario.WarmUp.TotalSeconds;
        if (at > 0)
        {
            phases.Add(new Phase(load.Steps[0].Rate, 0, at));
        }

        foreach (var step in load.Steps)
        {
            phases.Add(new Phase(step.Rate, at, at + step.Duration.TotalSeconds));
            at += step.Duration.TotalSeconds;
        }

        return phases;
    }

    public static Task RunAsync(RunState run, IReadOnlyList<Phase> phases, int maxInFlight)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            try
            {
                using var inFlight = new InFlight();
                Pace(run, phases, maxInFlight, inFlight);
                inFlight.WaitForZero();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"pacer {run.Scenario.Name}",
            Priority = ThreadPriority.AboveNormal,
        };
        pacer.Start();
        return done.Task;
    }

    private static void Pace(RunState run, IReadOnlyList<Phase> phases, int maxInFlight, InFlight inFlight)
    {
        PreciseClock.TightenTimerSlack();
        var t0 = run.WindowStart - LoadRunner.Ticks(run.Scenario.WarmUp);
        var payload = 0;
        var resolution = LoadRunner.Ticks(Resolution);
        var lastWake = long.MinValue / 2;
        var last = phases[^1];
        foreach (var phase in phases)
        {
            // The last phase goes on past its end while an action (a rollout) is still running.
            var isLast = ReferenceEquals(phase, last);
            for (long i = 0; ; i++)
            {
                var offset = phase.StartSeconds + (i / phase.Rate);
                if (offset >= phase.EndSeconds && !(isLast && run.ActionsPending > 0))
                {
                    break;
                }

                var due = t0 + (long)(offset * Stopwatch.Frequency);
                if (due > Stopwatch.GetTimestamp())
                {
                    // Wake at most once per resolution and send everything due by then (as wrk2's millisecond
                    // timers do): one wake per request costs the generator and the server a thread wake-up each,
                    // which on 2 shared cores is more than the request itself. The lateness is in the latency.
                    PreciseClock.WaitUntil(Math.Max(due, lastWake + resolution));
                    lastWake = Stopwatch.GetTimestamp();
                }
                while (inFlight.Count >= maxInFlight && !run.Stopped)
                {
                    Thread.Sleep(1);
                }

                if (!run.TryStartRequest(due))
                {
                    return;
                }

                inFlight.Add();
                _ = SendAsync(new Request(run, payload, due, inFlight));
                payload = payload + 1 == run.PayloadCount ? 0 : payload + 1;
            }
        }
    }

    private static async Task SendAsync(Request request)
    {
        try
        {
            var error = await request.Run.Transport.SendAsync(request.Payload, CancellationToken.None).ConfigureAwait(false);
            request.Run.Recorder.Record(request.Due, Stopwatch.GetTimestamp(), error);
        }
        finally
        {
            request.InFlight.Remove();
        }
    }

    private sealed record Request(RunState Run, int Payload, long Due, InFlight InFlight);

    /// <summary>Outstanding requests, and a way to wait for the last of them.</summary>
    private sealed class InFlight : IDisposable
    {
        private readonly ManualResetEventSlim _zero = new(true);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add()
        {
            if (Interlocked.Increment(ref _count) == 1)
            {
                _zero.Reset();
            }
        }

        public void Remove()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                _zero.Set();
            }
        }

        public void Dispose() => _zero.Dispose();

        public void WaitForZero()
        {
            while (Count > 0)
            {
                _zero.Wait(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
