using Microsoft.Extensions.Time.Testing;

namespace MlOps.Cli.Tests;

/// <summary>The outcome of one in-process CLI run.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}

/// <summary>Runs <see cref="CliApp"/> with string writers and a test environment (no terminal, fixed user).</summary>
internal static class CliRun
{
    public const string User = "tester";

    public static CliEnvironment Environment(
        StringWriter? output = null, StringWriter? error = null, IDictionary<string, string>? variables = null, string? baseDirectory = null,
        TimeProvider? time = null) => new()
    {
        Out = output ?? new StringWriter(),
        Error = error ?? new StringWriter(),
        OutputIsTerminal = false,
        GetVariable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
        UserName = User,
        HomeDirectory = "/home/" + User,
        BaseDirectory = baseDirectory ?? AppContext.BaseDirectory,
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        Time = time ?? TimeProvider.System,
    };

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync(args, Environment(output, error), CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs with <paramref name="clock"/> as the CLI's clock, moved on by <paramref name="step"/> while the run is
    /// waiting, so commands that poll (<c>rollout status --watch</c>) take no real time between polls.
    /// </summary>
    public static async Task<CliResult> RunWithClockAsync(FakeTimeProvider clock, TimeSpan step, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var run = CliApp.RunAsync(args, Environment(output, error, time: clock), CancellationToken.None);
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(2)));
            clock.Advance(step);
        }

        return new CliResult(await run, output.ToString(), error.ToString());
    }

    public static System.CommandLine.ParseResult Parse(params string[] args) =>
        CliApp.BuildRootCommand(Environment()).Parse(args, CliApp.ParserSettings);
}
