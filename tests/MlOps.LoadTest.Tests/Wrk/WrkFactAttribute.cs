using MlOps.LoadTest.Wrk;

namespace MlOps.LoadTest.Tests.Wrk;

/// <summary>A fact that is skipped, saying why, when wrk is not on PATH.</summary>
public sealed class WrkFactAttribute : FactAttribute
{
    public WrkFactAttribute()
    {
        if (!WrkRunner.IsAvailable())
        {
            Skip = "wrk not found on PATH (install Debian's wrk package: apt-get install wrk; scripts/test.sh does)";
        }
    }
}
