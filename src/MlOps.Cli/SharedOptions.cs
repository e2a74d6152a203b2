using System.CommandLine;
using MlOps.Cli.Output;

namespace MlOps.Cli;

/// <summary>
/// The options every command that talks to the coordinator takes: <c>--coordinator</c>, <c>--output</c>, and how to
/// connect: <c>--ca</c>, <c>--cert</c>, <c>--key</c>, <c>--token-file</c> (docs/cli.md, docs/security.md).
/// One instance of each is added to every such command, so they parse the same everywhere.
/// </summary>
internal sealed class SharedOptions
{
    public const string CoordinatorVariable = "MLOPS_COORDINATOR";
    public const string DefaultCoordinator = "http://127.0.0.1:7070";
    public const string AuthorityVariable = "MLOPS_CA";
    public const string CertificateVariable = "MLOPS_CERT";
    public const string KeyVariable = "MLOPS_KEY";

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
        Authority = FileOption("--ca", $"The cluster CA (PEM) that an https:// coordinator's certificate must chain to; ${AuthorityVariable} sets the default");
        Certificate = FileOption("--cert", $"A client certificate (PEM) to present over TLS, with --key; ${CertificateVariable} sets the default");
        Key = FileOption("--key", $"The private key (PEM) of --cert; ${KeyVariable} sets the default");
        TokenFile = FileOption("--token-file", $"A file holding the API token; else ${Client.ApiTokenSource.TokenVariable} (the token), ${Client.ApiTokenSource.TokenFileVariable}, or ~/.config/mlops/token when it exists");
    }

    public Option<string> Coordinator { get; }

    public Option<string> Authority { get; }

    public Option<string> Certificate { get; }

    public Option<string> Key { get; }

    public Option<string> TokenFile { get; }

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
        command.Options.Add(Authority);
        command.Options.Add(Certificate);
        command.Options.Add(Key);
        command.Options.Add(TokenFile);
        return command;
    }

    /// <summary>The per-run context for a command that has these options.</summary>
    public CommandContext Context(CliEnvironment environment, ParseResult parseResult)
    {
        var output = parseResult.CommandResult.Command.Options.Contains(OutputWithoutShortName) ? OutputWithoutShortName : Output;
        return new(environment, parseResult.GetValue(Coordinator) ?? DefaultAddress(environment), parseResult.GetValue(output), Connection(environment, parseResult));
    }

    /// <summary>The connection options of this run, each from its option or else its environment variable.</summary>
    public ConnectionSettings Connection(CliEnvironment environment, ParseResult parseResult)
    {
        string? Value(Option<string> option, string? variable) =>
            parseResult.GetValue(option) is { Length: > 0 } given ? given
            : variable is not null && environment.GetVariable(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : null;

        return new ConnectionSettings(
            Value(Authority, AuthorityVariable), Value(Certificate, CertificateVariable), Value(Key, KeyVariable), Value(TokenFile, null));
    }

    private static Option<string> FileOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "FILE",
    };

    private static Option<OutputFormat> OutputOption(string name, params string[] aliases) => new(name, aliases)
    {
        Description = "Output format: table (for people) or json (for scripts)",
        HelpName = "table|json",
        DefaultValueFactory = _ => OutputFormat.Table,
    };
}
