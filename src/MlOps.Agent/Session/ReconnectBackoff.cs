namespace MlOps.Agent.Session;

/// <summary>Capped exponential backoff with full jitter: delay = random(0, min(max, min * 2^failures)),
/// never below a tenth of the minimum so a fleet of agents does not retry in lockstep or spin.</summary>
internal sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30)));
        _failures++;
        var floor = min.TotalMilliseconds / 10;
        return TimeSpan.FromMilliseconds(floor + (_random.NextDouble() * (ceiling - floor)));
    }

    public void Reset() => _failures = 0;
}
