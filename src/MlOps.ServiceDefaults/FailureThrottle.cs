namespace MlOps.ServiceDefaults;

/// <summary>
/// Decides which failures of a retrying background loop get logged, so an outage of a dependency (Consul, say) is
/// reported once when it starts, once per <see cref="Window"/> while it lasts (with how many failures went unlogged),
/// and once when it ends, instead of on every try. Thread-safe; the clock is the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class FailureThrottle(TimeProvider time, TimeSpan window)
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastLogged;
    private int _failures;
    private int _suppressed;

    /// <summary>Shortest time between two logged failures of one outage.</summary>
    public TimeSpan Window { get; } = window > TimeSpan.Zero ? window : throw new ArgumentOutOfRangeException(nameof(window), window, "must be positive");

    /// <summary>Failures since the last success.</summary>
    public int Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures;
            }
        }
    }

    /// <summary>Counts a failure; true when it should be logged, with the failures left unlogged since the last one
    /// that was.</summary>
    public bool Failed(out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _failures++;
            if (_lastLogged is { } last && now - last < Window)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = _suppressed;
            _suppressed = 0;
            _lastLogged = now;
            return true;
        }
    }

    /// <summary>Counts a success; true when it ends an outage (one failure or more), with how many failures it had.</summary>
    public bool Succeeded(out int failures)
    {
        lock (_lock)
        {
            failures = _failures;
            _failures = 0;
            _suppressed = 0;
            _lastLogged = null;
            return failures > 0;
        }
    }
}
