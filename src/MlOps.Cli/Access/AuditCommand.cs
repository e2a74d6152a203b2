using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.Retraining;
using MlOps.Contracts;

namespace MlOps.Cli.Access;

/// <summary><c>mlops audit</c>: the coordinator's audit log of mutating and refused calls, newest first (admin only).</summary>
internal static class AuditCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var user = new Option<string>("--user", "-u") { Description = "Only this principal's calls", HelpName = "PRINCIPAL" };
        var method = new Option<string>("--method", "-m") { Description = "Only methods whose name contains this, e.g. Deploy", HelpName = "TEXT" };
        var since = new Option<TimeSpan?>("--since")
        {
            Description = "Only calls in this last stretch of time, e.g. 1h or 7d",
            HelpName = "DURATION",
            CustomParser = DurationText.Parser(TimeSpan.FromSeconds(1)),
        };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many records", HelpName = "N", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                result.AddError("--limit must be 1 to 1000");
            }
        });
        var command = shared.AddTo(new Command("audit", "Show the audit log: who changed what, when, and what was refused") { user, method, since, limit });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var now = environment.Time.GetUtcNow();
            var request = new ListAuditRequest
            {
                Principal = parseResult.GetValue(user) ?? "",
                Method = parseResult.GetValue(method) ?? "",
                PageSize = parseResult.GetValue(limit),
            };
            if (parseResult.GetValue(since) is { } window)
            {
                request.Since = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now - window);
            }

            var response = await client.ListAuditAsync(request, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (response.Records.Count == 0)
            {
                await context.Error.WriteLineAsync("no audit records match");
                return ExitCodes.Ok;
            }

            Table(response.Records).Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static TextTable Table(IEnumerable<AuditRecord> records)
    {
        var table = new TextTable("seq", "time (UTC)", "principal", "role", "call", "target", "outcome");
        foreach (var record in records)
        {
            var outcome = record.Outcome == "OK" || record.Detail.Length == 0 ? record.Outcome : $"{record.Outcome}: {Clip(record.Detail, 60)}";
            table.AddRow(
                Display.Integer(record.Sequence),
                record.At?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) ?? Display.None,
                record.Principal.Length == 0 ? "(unauthenticated)" : record.Principal,
                record.Role,
                ShortMethod(record.Method),
                record.Target.Length == 0 ? Display.None : Clip(record.Target, 60),
                outcome);
        }

        return table;
    }

    /// <summary><c>/mlops.v1.JobService/SubmitJob</c> as <c>JobService.SubmitJob</c>.</summary>
    internal static string ShortMethod(string method)
    {
        var trimmed = method.TrimStart('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var service = slash < 0 ? trimmed : trimmed[..slash];
        var dot = service.LastIndexOf('.');
        return (dot < 0 ? service : service[(dot + 1)..]) + (slash < 0 ? "" : "." + trimmed[(slash + 1)..]);
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
