using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.Retraining;
using MlOps.Contracts;

namespace MlOps.Cli.Access;

/// <summary>
/// <c>mlops token create|ls|revoke</c>: API tokens with roles (AccessService; docs/security.md). Admin only; with the
/// coordinator's authentication off anyone may prepare tokens.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("token", "Create, list and revoke API tokens (roles: viewer, ml-engineer, deployer, admin)")
        {
            CreateToken(environment, shared),
            ListTokens(environment, shared),
            RevokeToken(environment, shared),
        };

    private static Command CreateToken(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Who the token acts as: the principal in the audit log and the owner of its jobs", HelpName = "NAME" };
        var role = new Option<string>("--role", "-r")
        {
            Description = "viewer (read), ml-engineer (+ submit/cancel own jobs, push data, run pipelines), deployer (+ deploy, aliases, retraining policies), admin (everything)",
            HelpName = "ROLE",
            Required = true,
        };
        role.AcceptOnlyFromAmong("viewer", "ml-engineer", "deployer", "admin");
        var description = new Option<string>("--description", "-d") { Description = "What the token is for", HelpName = "TEXT" };
        var validFor = new Option<TimeSpan?>("--valid-for")
        {
            Description = "Expire after this long, e.g. 90d or 12h [default: never]",
            HelpName = "DURATION",
            CustomParser = DurationText.Parser(TimeSpan.FromMinutes(1)),
        };
        var command = shared.AddTo(new Command("create", "Create an API token; its secret is printed once, on stdout") { name, role, description, validFor });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var request = new CreateTokenRequest
            {
                Name = parseResult.GetValue(name) ?? "",
                Role = parseResult.GetValue(role) ?? "",
                Description = parseResult.GetValue(description) ?? "",
            };
            if (parseResult.GetValue(validFor) is { } span)
            {
                request.ValidFor = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(span);
            }

            var created = await client.CreateTokenAsync(request, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(created));
                return ExitCodes.Ok;
            }

            // The secret alone on stdout, so `mlops token create ... > file` saves exactly it; the rest to stderr.
            await context.Out.WriteLineAsync(created.Secret);
            var expiry = created.Token.ExpiresAt is null ? "never expires" : $"expires {created.Token.ExpiresAt.ToDateTimeOffset():u}";
            await context.Error.WriteLineAsync(
                $"created {created.Token.Id} for {created.Token.Name} ({created.Token.Role}, {expiry}); the secret above is shown only now. " +
                "Give it to its user, who saves it as ~/.config/mlops/token (mode 0600) or sets MLOPS_TOKEN");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListTokens(CliEnvironment environment, SharedOptions shared)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Include revoked tokens" };
        var command = shared.AddTo(new Command("ls", "List API tokens (never their secrets)") { all });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var tokens = await client.ListTokensAsync(parseResult.GetValue(all), cancellationToken);
            if (context.Json)
            {
                var response = new ListTokensResponse();
                response.Tokens.Add(tokens);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (tokens.Count == 0)
            {
                await context.Error.WriteLineAsync("no API tokens");
                return ExitCodes.Ok;
            }

            Table(tokens, environment.Time.GetUtcNow()).Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static TextTable Table(IEnumerable<ApiToken> tokens, DateTimeOffset now)
    {
        var table = new TextTable("id", "name", "role", "created", "by", "expires", "state", "description");
        foreach (var token in tokens)
        {
            var state = token.RevokedAt is not null ? $"revoked {Display.Ago(token.RevokedAt, now)} by {token.RevokedBy}"
                : token.ExpiresAt is not null && token.ExpiresAt.ToDateTimeOffset() <= now ? "expired"
                : "valid";
            var expires = token.ExpiresAt is null ? "never" : token.ExpiresAt.ToDateTimeOffset().ToString("u", System.Globalization.CultureInfo.InvariantCulture);
            table.AddRow(token.Id, token.Name, token.Role, Display.Ago(token.CreatedAt, now), token.CreatedBy, expires, state,
                token.Description.Length == 0 ? Display.None : token.Description);
        }

        return table;
    }

    private static Command RevokeToken(CliEnvironment environment, SharedOptions shared)
    {
        var id = new Argument<string>("id") { Description = "The token's id (tok_...), as `mlops token ls` shows it", HelpName = "ID" };
        var command = shared.AddTo(new Command("revoke", "Revoke an API token: every call with it is refused from now on") { id });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var revoked = await client.RevokeTokenAsync(parseResult.GetValue(id) ?? "", cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(revoked));
                return ExitCodes.Ok;
            }

            await context.Out.WriteLineAsync($"revoked {revoked.Id} ({revoked.Name}, {revoked.Role})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
