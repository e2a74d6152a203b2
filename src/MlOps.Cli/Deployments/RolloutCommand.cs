using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Deployments;

/// <summary>
/// <c>mlops rollout status NAME [--watch]</c> and <c>mlops rollout history NAME</c>: where a deployment's rollout
/// stands (exit 0 when available, 1 when failed) and its revisions.
/// </summary>
internal static class RolloutCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("rollout", "Follow a deployment's rollout and see its revisions")
        {
            CreateStatus(environment, shared),
            CreateHistory(environment, shared),
        };

    private static Command CreateStatus(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Deployment name", HelpName = "NAME" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Wait until the newest revision is available (exit 0) or failed (exit 1)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds --watch waits (default 300)", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        var command = shared.AddTo(new Command("status", "Show a deployment: phase, traffic split, replicas") { name, watch, timeout });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var deploymentName = parseResult.GetValue(name)!;
            var deployment = await client.GetDeploymentAsync(deploymentName, cancellationToken);
            if (parseResult.GetValue(watch))
            {
                var code = await RolloutWait.UntilSettledAsync(client, deploymentName, deployment.Revision,
                    TimeSpan.FromSeconds(parseResult.GetValue(timeout)), context.Error, environment.Time, cancellationToken);
                deployment = await client.GetDeploymentAsync(deploymentName, cancellationToken);
                await WriteAsync(context, deployment);
                return code;
            }

            await WriteAsync(context, deployment);
            return deployment.Phase == DeploymentPhase.Failed ? ExitCodes.JobFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateHistory(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Deployment name", HelpName = "NAME" };
        var command = shared.AddTo(new Command("history", "List a deployment's revisions (the current one starred)") { name });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var deployment = await client.GetDeploymentAsync(parseResult.GetValue(name)!, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(deployment));
            }
            else
            {
                DeploymentText.History(deployment, context.Out, context.Environment.OutputIsTerminal);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task WriteAsync(CommandContext context, Deployment deployment)
    {
        if (context.Json)
        {
            await context.Out.WriteLineAsync(ProtoJson.Indented(deployment));
        }
        else
        {
            DeploymentText.Describe(deployment, context.Out);
        }
    }
}
