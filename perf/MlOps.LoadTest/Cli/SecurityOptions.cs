using System.CommandLine;
using MlOps.Client.Inference;
using MlOps.Core.Certificates;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>--token-file</c>, <c>--ca</c>, <c>--cert</c>, <c>--key</c>: how the harness authenticates to inference endpoints
/// that ask for it (<c>Agent:Serving:Auth</c>, docs/security.md ("Inference endpoint authentication")), and which CA their TLS certificates must
/// chain to. Without <c>--token-file</c>, a token in <c>MLOPS_TOKEN</c> is used.
/// </summary>
internal sealed class SecurityOptions
{
    /// <summary>The environment variable a token is read from when no <c>--token-file</c> is given.</summary>
    public const string TokenVariable = "MLOPS_TOKEN";

    public Option<string> TokenFile { get; } = new("--token-file")
    {
        Description = $"File holding a cluster API token, sent as 'authorization: Bearer' (default: ${TokenVariable} when set)", HelpName = "FILE",
    };

    public Option<string> Authority { get; } = new("--ca") { Description = "Cluster CA (ca.crt) that https endpoints' certificates must chain to", HelpName = "FILE" };

    public Option<string> Certificate { get; } = new("--cert") { Description = "Client certificate for endpoints with mutual TLS (with --key)", HelpName = "FILE" };

    public Option<string> Key { get; } = new("--key") { Description = "Private key of --cert", HelpName = "FILE" };

    /// <summary>Adds the four options to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        command.Options.Add(TokenFile);
        command.Options.Add(Authority);
        command.Options.Add(Certificate);
        command.Options.Add(Key);
        return command;
    }

    /// <exception cref="UsageException">A file is missing or unreadable, a token file is empty, or --cert comes without --key.</exception>
    public InferenceEndpointSecurity Read(ParseResult parseResult, Func<string, string?>? environment = null)
    {
        var tokenFile = parseResult.GetValue(TokenFile);
        string? token;
        if (string.IsNullOrEmpty(tokenFile))
        {
            token = (environment ?? Environment.GetEnvironmentVariable)(TokenVariable);
        }
        else
        {
            try
            {
                token = File.ReadAllText(tokenFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--token-file: cannot read {tokenFile}: {ex.Message}");
            }

            if (token.Length == 0)
            {
                throw new UsageException($"--token-file: {tokenFile} is empty");
            }
        }

        try
        {
            return InferenceEndpointSecurity.FromFiles(token, parseResult.GetValue(Authority), parseResult.GetValue(Certificate), parseResult.GetValue(Key));
        }
        catch (CertificateException ex)
        {
            throw new UsageException($"--ca/--cert/--key: {ex.Message}");
        }
    }
}
