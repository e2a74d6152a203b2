using System.Diagnostics;
using MlOps.LoadTest.Scenarios;
using MlOps.LoadTest.Transports;

namespace MlOps.LoadTest.Running;

/// <summary>What the load models of one run share: the window, the stop conditions and the send counters.</summary>
internal sealed class RunState
{
    private readonly long? _windowTicks;
    private volatile bool _stopped;
    private long _measuredSends;
    private long _lastMeasuredSend;
    private int _actionsPending;

    public RunState(Scenario scenario, ILoadTransport transport, int payloadCount, LatencyRecorder recorder, TimeSpan? window)
    {
        Scenario = scenario;
        Transport = transport;
        PayloadCount = payloadCount;
        Recorder = recorder;
        _windowTicks = window is { } w ? LoadRunner.Ticks(w) : null;
    }

    public Scenario Scenario { get; }

    public ILoadTransport Transport { get; }

    public int PayloadCount { get; }

    public LatencyRecorder Recorder { get; }

    /// <summary>Stopwatch timestamp at which the measured window opens (the warm-up ends).</summary>
    public long WindowStart { get; set; }

    public int ActionsPending
    {
        get => Volatile.Read(ref _actionsPending);
        set => Volatile.Write(ref _actionsPending, value);
    }

    /// <summary>Set when the run must end early (cancelled).</summary>
    public bool Stopped => _stopped;

    /// <summary>Measured requests sent so far.</summary>
    public long MeasuredSends => Interlocked.Read(ref _measuredSends);

    public void Stop() => _stopped = true;

    public void ActionsFinished() => ActionsPending = 0;

    /// <summary>
    /// Claims the right to send a request that starts at <paramref name="start"/>: false once the window is over (its
    /// duration passed and no action is still running, or the request count is reached) or the run was stopped.
    /// </summary>
    public bool TryStartRequest(long start)
    {
        if (_stopped)
        {
            return false;
        }

        if (start < WindowStart)
        {
            return true;
        }

        if (_windowTicks is { } ticks && start >= WindowStart + ticks && ActionsPending == 0)
        {
            return false;
        }

        if (Scenario.Requests is { } limit && Interlocked.Increment(ref _measuredSends) > limit)
        {
            return false;
        }

        if (Scenario.Requests is null)
        {
            Interlocked.Increment(ref _measuredSends);
        }

        long last;
        var now = Stopwatch.GetTimestamp();
        while (now > (last = Interlocked.Read(ref _lastMeasuredSend)) &&
               Interlocked.CompareExchange(ref _lastMeasuredSend, now, last) != last)
        {
        }

        return true;
    }

    /// <summary>Open models: measured sends per second between the window's start and one interval past the last
    /// send, so a generator that keeps perfect time reports exactly the target rate.</summary>
    public double? AchievedSendRate()
    {
        var rate = Scenario.Load switch
        {
            OpenLoad open => open.Rate,
            RampLoad ramp => ramp.Steps[^1].Rate,
            _ => (double?)null,
        };
        var sends = Math.Min(MeasuredSends, Scenario.Requests ?? long.MaxValue);
        var last = Interlocked.Read(ref _lastMeasuredSend);
        if (rate is not { } r || sends == 0 || last < WindowStart)
        {
            return null;
        }

        var span = ((last - WindowStart) / (double)Stopwatch.Frequency) + (1 / r);
        return sends / span;
    }
}
