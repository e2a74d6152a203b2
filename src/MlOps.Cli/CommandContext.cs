using MlOps.Cli.Client;
using MlOps.Cli.Output;
using Spectre.Console;

namespace MlOps.Cli;

/// <summary>What one command run works with: the environment, the coordinator address, the output format, and how to
/// connect (TLS files and the API token's file).</summary>
internal sealed class CommandContext(CliEnvironment environment, string coordinator, OutputFormat output, ConnectionSettings? connection = null)
{
    public CliEnvironment Environment { get; } = environment;

    public string Coordinator { get; } = coordinator;

    public OutputFormat Output { get; } = output;

    public TextWriter Out => Environment.Out;

    public TextWriter Error => Environment.Error;

    public bool Json => Output == OutputFormat.Json;

    /// <summary>TLS files and the token file from the command line or the environment.</summary>
    public ConnectionSettings Connection { get; } = connection ?? new ConnectionSettings();

    /// <summary>A client for the coordinator; reads the token here (warning about a token file others may read), so
    /// commands that never call the coordinator never touch it.</summary>
    public MlOpsClient CreateClient() => new(new MlOpsClientOptions
    {
        Address = Coordinator,
        User = Environment.UserName,
        AuthorityFile = Connection.AuthorityFile,
        CertificateFile = Connection.CertificateFile,
        KeyFile = Connection.KeyFile,
        Token = ApiTokenSource.Resolve(Connection.TokenFile, Environment),
    });

    /// <summary>
    /// The owner to record on what this command submits when none is given: the local user name, or empty when the
    /// CLI sends an API token, for the coordinator then records the token's principal (and refuses another owner
    /// from anyone but an admin).
    /// </summary>
    public string DefaultOwner => ApiTokenSource.IsConfigured(Connection.TokenFile, Environment) ? "" : Environment.UserName;

    /// <summary>A Spectre console over stdout: ANSI and colours only when stdout is a terminal.</summary>
    public IAnsiConsole CreateConsole() => Consoles.Create(Out, Environment.OutputIsTerminal);
}
