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
        Output = OutputOption("--output", "-o");
        OutputWithoutShortName = OutputOption("--output");
    }

    public Option<string> Coordinator { get; }

    public Option<OutputFormat> Output { get; }

    /// <summary><c>--output</c> without <c>-o</c>, for a command whose <c>-o</c> means something else (<c>model pull -o DIR</c>).</summary>
    public Option<OutputFormat> OutputWithoutShortName { get; }

    public static string DefaultAddress(CliEnvironment environment) =>
        environment.GetVariable(CoordinatorVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultCoordinator;

    /// <summary>Adds both options to <paramref name="command"/>; without <paramref name="outputShortName"/>, <c>--output</c> has no <c>-o</c>.</summary>
    public Command AddTo(Command command, bool outputShortName = true)
    {
        command.Options.Add(Coordinator);
        command.Options.Add(outputShortName ? Output : OutputWithoutShortName);
        return command;
    }

    /// <summary>The per-run context for a command that has these options.</summary>
    public CommandContext Context(CliEnvironment environment, ParseResult parseResult)
    {
        var output = parseResult.CommandResult.Command.Options.Contains(OutputWithoutShortName) ? OutputWithoutShortName : Output;
        return new(environment, parseResult.GetValue(Coordinator) ?? DefaultAddress(environment), parseResult.GetValue(output));
    }

    private static Option<OutputFormat> OutputOption(string name, params string[] aliases) => new(name, aliases)
    {
        Description = "Output format: table (for people) or json (for scripts)",
        HelpName = "table|json",
        DefaultValueFactory = _ => OutputFormat.Table,
    };
}
