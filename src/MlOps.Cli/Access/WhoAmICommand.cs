using System.CommandLine;
using MlOps.Cli.Output;

namespace MlOps.Cli.Access;

/// <summary><c>mlops whoami</c>: who the coordinator takes the caller for, and with which role.</summary>
internal static class WhoAmICommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var command = shared.AddTo(new Command("whoami", "Show who the coordinator takes you for (principal, role, how recognised)"));
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var me = await client.WhoAmIAsync(cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(me));
                return ExitCodes.Ok;
            }

            await context.Out.WriteLineAsync($"principal: {me.Principal}");
            await context.Out.WriteLineAsync($"role:      {me.Role}");
            await context.Out.WriteLineAsync($"via:       {me.AuthenticatedBy}");
            if (!me.AuthEnabled)
            {
                await context.Error.WriteLineAsync("note: this coordinator runs without authentication (loopback only): everyone is admin");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
