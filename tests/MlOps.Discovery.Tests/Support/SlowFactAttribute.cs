namespace MlOps.Discovery.Tests.Support;

/// <summary>
/// A fact that takes minutes because Consul will not go faster (e.g. its 30 s reaper and 1 minute minimum for
/// DeregisterCriticalServiceAfter, neither configurable in 1.8); skipped, saying so, unless MLOPS_SLOW_TESTS=1.
/// </summary>
public sealed class SlowFactAttribute : FactAttribute
{
    public const string Variable = "MLOPS_SLOW_TESTS";

    public SlowFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"slow (minutes, bound by Consul's own timers); run with {Variable}=1";
        }
    }
}
