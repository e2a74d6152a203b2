using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace MlOps.Discovery.Tests.Support;

/// <summary>
/// A fake clock that knows its pending timers, so a test can move time exactly to the next delay once the code
/// under test is idle, instead of advancing in steps and racing the thread pool (which drifts under load).
/// Timers of CancellationTokenSources are timeouts of work in flight; any other timer is a delay (Task.Delay).
/// Idle means: no timeout pending, at least one delay pending.
/// </summary>
internal sealed class FakeClock : FakeTimeProvider
{
    private static readonly TimeSpan RealPatience = TimeSpan.FromSeconds(10);
    private readonly List<TrackedTimer> _timers = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, isTimeout: state is CancellationTokenSource);
        tracked.Schedule(dueTime);
        lock (_timers)
        {
            _timers.Add(tracked);
        }

        tracked.Inner = base.CreateTimer(
            s =>
            {
                tracked.Fired(period);
                callback(s);
            },
            state,
            dueTime,
            period);
        return tracked;
    }

    /// <summary>Runs the code under test on fake time until <paramref name="done"/>: each time it is idle, jumps
    /// exactly to its earliest pending delay.</summary>
    public async Task RunUntilAsync(Func<bool> done, TimeSpan fakeLimit)
    {
        var start = GetUtcNow();
        while (!done())
        {
            var next = await NextDelayAsync(done);
            if (next is not { } delay)
            {
                return;
            }

            if (GetUtcNow() + delay - start > fakeLimit)
            {
                throw new TimeoutException($"still not done after {fakeLimit} of fake time");
            }

            Advance(delay);
        }
    }

    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan fakeLimit)
    {
        await RunUntilAsync(() => task.IsCompleted, fakeLimit);
        return await task;
    }

    /// <summary>For code that never goes idle (a request hanging until its timeout): advances in steps, letting
    /// the thread pool run between them, until <paramref name="done"/>. Only for assertions that drift cannot break.</summary>
    public async Task StepUntilAsync(Func<bool> done, TimeSpan fakeLimit, TimeSpan step)
    {
        var start = GetUtcNow();
        while (!done())
        {
            if (GetUtcNow() - start > fakeLimit)
            {
                throw new TimeoutException($"still not done after {fakeLimit} of fake time");
            }

            Advance(step);
            await Task.Delay(2);
        }
    }

    /// <summary>How far ahead the earliest delay is, once idle; null when <paramref name="done"/> first.</summary>
    private async Task<TimeSpan?> NextDelayAsync(Func<bool> done)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (done())
            {
                return null;
            }

            lock (_timers)
            {
                var now = GetUtcNow();
                if (!_timers.Any(t => t.IsTimeout) && _timers.Count > 0)
                {
                    var earliest = _timers.Min(t => t.DueAt);
                    return earliest > now ? earliest - now : TimeSpan.Zero;
                }
            }

            if (waited.Elapsed > RealPatience)
            {
                throw new TimeoutException("the code under test neither finished nor went idle on a delay");
            }

            await Task.Delay(1);
        }
    }

    private void Remove(TrackedTimer timer)
    {
        lock (_timers)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class TrackedTimer(FakeClock clock, bool isTimeout) : ITimer
    {
        public ITimer? Inner { get; set; }

        public bool IsTimeout { get; } = isTimeout;

        public DateTimeOffset DueAt { get; private set; }

        public void Schedule(TimeSpan dueTime)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                clock.Remove(this);
                return;
            }

            DueAt = clock.GetUtcNow() + dueTime;
        }

        public void Fired(TimeSpan period)
        {
            if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
            {
                clock.Remove(this);
            }
            else
            {
                DueAt = clock.GetUtcNow() + period;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._timers)
            {
                if (dueTime != Timeout.InfiniteTimeSpan && !clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }
            }

            Schedule(dueTime);
            return Inner?.Change(dueTime, period) ?? false;
        }

        public void Dispose()
        {
            clock.Remove(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
