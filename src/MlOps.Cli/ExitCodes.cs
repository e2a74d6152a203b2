namespace MlOps.Cli;

/// <summary>The process exit codes a script can rely on; documented in <c>docs/cli.md</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for <c>watch</c>: the job SUCCEEDED).</summary>
    public const int Ok = 0;

    /// <summary><c>watch</c> / <c>submit --watch</c>: the job ended FAILED or CANCELLED.</summary>
    public const int JobFailed = 1;

    /// <summary>Bad command line, unreadable or invalid job spec, or the coordinator said INVALID_ARGUMENT.</summary>
    public const int Usage = 2;

    /// <summary>The job (or another named thing) does not exist: NOT_FOUND.</summary>
    public const int NotFound = 3;

    /// <summary>The coordinator could not be reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED).</summary>
    public const int Unreachable = 4;

    /// <summary>Anything else: other gRPC status codes, a local cluster that failed to start, unexpected errors.</summary>
    public const int Error = 5;

    /// <summary>Stopped by Ctrl-C / SIGTERM (128 + SIGINT), except <c>up</c>, which exits 0 after a clean stop.</summary>
    public const int Interrupted = 130;
}
