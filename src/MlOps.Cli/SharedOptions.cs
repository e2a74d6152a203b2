using System.CommandLine;
using MlOps.Cli.Output;

namespace MlOps.Cli;

/// <summary>
/// The options every command that talks to the coordinator takes: <c>--coordinator</c> and <c>--output</c>.
/// One instance of each is added to every such command, so they parse the same everywhere.
/// </summary>
internal sealed class SharedOptions
{
    public const string CoordinatorVariable = "MLOPS_COORDINATOR";
    public const string DefaultCoordinator = "http://127.0.0.1:7070";

    public SharedOptions(CliEnvironment environment)
    {
        Coordinator = new Option<string>("--coordinator")
        {
            Description = $"Coordinator address; ${CoordinatorVariable} sets the default",
            HelpName = "ADDRESS",
            DefaultValueFactory = _ => DefaultAddress(environment),
        };
        Output = new Option<OutputFormat>("--output", "-o")
        {
            Description = "Output format: table (for people) or json (for scripts)",
            HelpName = "table|json",
            DefaultValueFactory = _ => OutputFormat.Table,
        };
    }

    public Option<string> Coordinator { get; }

    public Option<OutputFormat> Output { get; }

    public static string DefaultAddress(CliEnvironment environment) =>
        environment.GetVariable(CoordinatorVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultCoordinator;

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        command.Options.Add(Coordinator);
        command.Options.Add(Output);
        return command;
    }

    /// <summary>The per-run context for a command that has these options.</summary>
    public CommandContext Context(CliEnvironment environment, ParseResult parseResult) =>
        new(environment, parseResult.GetValue(Coordinator) ?? DefaultAddress(environment), parseResult.GetValue(Output));
}
