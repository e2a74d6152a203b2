using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Deployments;

/// <summary><c>mlops deployments</c> (list) and <c>mlops undeploy NAME</c>.</summary>
internal static class DeploymentsCommand
{
    public static Command CreateList(CliEnvironment environment, SharedOptions shared)
    {
        var command = shared.AddTo(new Command("deployments", "List deployments: phase, traffic split, ready replicas"));
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var deployments = await client.ListDeploymentsAsync(cancellationToken);
            if (context.Json)
            {
                var response = new ListDeploymentsResponse();
                response.Deployments.Add(deployments);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (deployments.Count == 0)
            {
                await context.Error.WriteLineAsync("no deployments yet; 'mlops deploy MODEL' creates one");
                return ExitCodes.Ok;
            }

            var table = new TextTable("name", "model", "target", "revision", "phase", "traffic", "ready");
            foreach (var deployment in deployments)
            {
                table.AddRow(deployment.Spec.Name, deployment.Spec.Model, DeploymentText.Target(deployment.Spec.Target),
                    Display.Integer(deployment.Revision), DeploymentText.Phase(deployment.Phase), DeploymentText.Traffic(deployment.Traffic),
                    DeploymentText.Ready(deployment));
            }

            table.Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateDelete(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Deployment name", HelpName = "NAME" };
        var command = shared.AddTo(new Command("undeploy", "Stop serving a deployment (agents drain, then unload it)") { name });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var deploymentName = parseResult.GetValue(name)!;
            var response = await client.DeleteDeploymentAsync(deploymentName, cancellationToken);
            await context.Out.WriteLineAsync(context.Json ? ProtoJson.Indented(response) : $"deleted deployment {deploymentName}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
