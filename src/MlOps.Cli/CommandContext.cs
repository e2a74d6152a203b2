using MlOps.Cli.Client;
using MlOps.Cli.Output;
using Spectre.Console;

namespace MlOps.Cli;

/// <summary>What one command run works with: the environment, the coordinator address and the output format.</summary>
internal sealed class CommandContext(CliEnvironment environment, string coordinator, OutputFormat output)
{
    public CliEnvironment Environment { get; } = environment;

    public string Coordinator { get; } = coordinator;

    public OutputFormat Output { get; } = output;

    public TextWriter Out => Environment.Out;

    public TextWriter Error => Environment.Error;

    public bool Json => Output == OutputFormat.Json;

    public MlOpsClient CreateClient() => new(new MlOpsClientOptions
    {
        Address = Coordinator,
        User = Environment.UserName,
    });

    /// <summary>A Spectre console over stdout: ANSI and colours only when stdout is a terminal.</summary>
    public IAnsiConsole CreateConsole() => Consoles.Create(Out, Environment.OutputIsTerminal);
}
