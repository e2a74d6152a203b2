namespace MlOps.Cli;

/// <summary>
/// Everything a command may take from the machine it runs on: the output writers, whether stdout is a
/// terminal, environment variables, the user, where the binary lives and the clock. Production uses
/// <see cref="FromConsole"/>; tests pass writers and fakes.
/// </summary>
public sealed class CliEnvironment
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when stdout is an interactive terminal: enables the live progress bar and colours.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>True when stderr is an interactive terminal: progress lines are rewritten in place.</summary>
    public bool ErrorIsTerminal { get; init; }

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The local user: the job owner when none is given, and the <c>x-mlops-user</c> header.</summary>
    public string UserName { get; init; } = Environment.UserName;

    public string HomeDirectory { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>The folder holding <c>mlops.dll</c>; <c>up</c> looks for the coordinator and agent from here.</summary>
    public string BaseDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>The executable running this process (the <c>dotnet</c> host or the <c>mlops</c> app host).</summary>
    public string? ProcessPath { get; init; } = Environment.ProcessPath;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>First pause before <c>watch</c> reconnects after a dropped stream; doubles up to 5 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cancelled by a second Ctrl-C: stop waiting politely (see <see cref="ShutdownSignal"/>).</summary>
    public CancellationToken ForceStop { get; init; }

    public static CliEnvironment FromConsole(CancellationToken forceStop = default) => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        OutputIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
        ForceStop = forceStop,
    };
}
