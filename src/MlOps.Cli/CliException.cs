namespace MlOps.Cli;

/// <summary>
/// A failure to report to the user: a message for stderr, optional detail lines (one per spec error) and the
/// exit code. Commands throw it; <see cref="CommandAction"/> prints it and returns <see cref="ExitCode"/>.
/// </summary>
public sealed class CliException : Exception
{
    public CliException()
        : this(ExitCodes.Error, "unexpected error")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Error, message)
    {
    }

    public CliException(string message, Exception innerException)
        : this(ExitCodes.Error, message, innerException)
    {
    }

    public CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code, one of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; }

    /// <summary>Lines printed under the message, indented (e.g. <c>hyper_parameters.epochs: must be ...</c>).</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The gRPC status that caused it, when it came from the coordinator.</summary>
    public Grpc.Core.StatusCode? Status { get; init; }

    /// <summary>Whether a retry may succeed: the coordinator was unreachable or the connection broke.</summary>
    public bool IsTransient => Status is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded
        or Grpc.Core.StatusCode.Internal or Grpc.Core.StatusCode.Unknown or Grpc.Core.StatusCode.Aborted
        or Grpc.Core.StatusCode.Cancelled;
}
