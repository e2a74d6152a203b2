namespace MlOps.LoadTest.Cli;

/// <summary>What <c>mlops-loadtest</c> exits with, so release checks can tell a missed target from a broken setup.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Everything ran, and a threshold or target failed.</summary>
    public const int ThresholdFailed = 1;

    /// <summary>Bad command line or scenario file.</summary>
    public const int Usage = 2;

    /// <summary>The load could not run: target unreachable, unknown model, missing dataset or tool.</summary>
    public const int Failed = 3;
}
