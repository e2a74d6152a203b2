using System.CommandLine;
using MlOps.Cli.Output;

namespace MlOps.Cli.Deployments;

/// <summary><c>mlops rollback NAME [--to-revision N] [--wait]</c>: back to an earlier revision's versions, pinned by
/// number, rolled out like any other revision (the current versions serve until the old ones are ready).</summary>
internal static class RollbackCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Deployment name", HelpName = "NAME" };
        var revision = new Option<int>("--to-revision") { Description = "Revision to go back to (default: the previous one)", HelpName = "N" };
        var wait = new Option<bool>("--wait") { Description = "Follow the rollback until it is available or failed (exit 1)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds --wait waits (default 300)", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        var command = shared.AddTo(new Command("rollback", "Roll a deployment back to an earlier revision") { name, revision, wait, timeout });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var deploymentName = parseResult.GetValue(name)!;
            var deployment = await client.RollbackAsync(deploymentName, parseResult.GetValue(revision), cancellationToken);
            if (context.Json && !parseResult.GetValue(wait))
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(deployment));
                return ExitCodes.Ok;
            }

            await context.Error.WriteLineAsync(
                $"deployment {deploymentName}: revision {Display.Integer(deployment.Revision)} ({deployment.History[^1].Cause}) serves {DeploymentText.Traffic(deployment.History[^1].Traffic)}");
            return parseResult.GetValue(wait)
                ? await RolloutWait.UntilSettledAsync(client, deploymentName, deployment.Revision, TimeSpan.FromSeconds(parseResult.GetValue(timeout)),
                    context.Error, environment.Time, cancellationToken)
                : ExitCodes.Ok;
        });
        return command;
    }
}
