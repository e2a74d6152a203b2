using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Deployments;

/// <summary>
/// <c>mlops deploy MODEL[:VERSION|@ALIAS]</c>: creates or changes a deployment. A bare MODEL pins the newest
/// version; <c>@ALIAS</c> follows the alias (moving it rolls the deployment). <c>--canary</c> sends a share of the
/// traffic to a candidate. <c>--wait</c> follows the rollout to the end.
/// </summary>
internal static class DeployCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var reference = new Argument<string>("model") { Description = "MODEL (newest version), MODEL:VERSION or MODEL@ALIAS (follows the alias)", HelpName = "MODEL" };
        var name = new Option<string>("--name") { Description = "Deployment name clients call (default: the model name)", HelpName = "NAME" };
        var replicas = new Option<int>("--replicas") { Description = "Agents that serve it (default 1)", HelpName = "N", DefaultValueFactory = _ => 1 };
        var selector = new Option<string[]>("--selector") { Description = "Only agents with this label, KEY=VALUE (repeatable; built in: agent, host, gpu)", HelpName = "KEY=VALUE" };
        var canary = new Option<string>("--canary") { Description = "Candidate for a canary: VERSION or @ALIAS", HelpName = "VERSION" };
        var percent = new Option<int>("--canary-percent") { Description = "Share of traffic for the canary, 1-99 (default 10)", HelpName = "PERCENT", DefaultValueFactory = _ => 10 };
        var wait = new Option<bool>("--wait") { Description = "Follow the rollout until it is available or failed (exit 1)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds --wait waits (default 300)", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        var command = shared.AddTo(new Command("deploy", "Serve a model version on the cluster's agents (rolls out without dropping requests)")
        {
            reference, name, replicas, selector, canary, percent, wait, timeout,
        });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var model = RegistryReference.Model(parseResult.GetValue(reference)!, allowNewest: true);
            var spec = new DeploymentSpec
            {
                Model = model.Name,
                Name = parseResult.GetValue(name) is { Length: > 0 } given ? RegistryReference.Name(given, "deployment") : model.Name,
                Target = new ModelTarget { Version = model.Version, Alias = model.Alias },
                Replicas = parseResult.GetValue(replicas),
            };
            foreach (var pair in parseResult.GetValue(selector) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new CliException(ExitCodes.Usage, $"invalid --selector '{pair}': expected KEY=VALUE, e.g. gpu=true");
                }

                spec.AgentSelector[pair[..equals]] = pair[(equals + 1)..];
            }

            if (parseResult.GetValue(canary) is { Length: > 0 } candidate)
            {
                spec.Canary = new CanarySpec { Target = Candidate(candidate), Percent = parseResult.GetValue(percent) };
            }
            else if (parseResult.GetResult(percent) is { Implicit: false })
            {
                throw new CliException(ExitCodes.Usage, "--canary-percent needs --canary VERSION|@ALIAS (the candidate that takes that share)");
            }

            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var previous = await ExistingAsync(client, spec.Name, cancellationToken);
            var deployment = await client.DeployAsync(spec, cancellationToken);
            if (context.Json && !parseResult.GetValue(wait))
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(deployment));
                return ExitCodes.Ok;
            }

            var wanted = DeploymentText.Traffic(deployment.History[^1].Traffic);
            var change = previous is null ? "created"
                : previous.Revision == deployment.Revision ? "unchanged revision" : $"was {DeploymentText.Traffic(previous.History[^1].Traffic)}";
            await context.Error.WriteLineAsync($"deployment {spec.Name}: revision {Display.Integer(deployment.Revision)} serves {wanted} ({change})");
            if (!parseResult.GetValue(wait))
            {
                await context.Error.WriteLineAsync($"follow it with: mlops rollout status {spec.Name} --watch");
                return ExitCodes.Ok;
            }

            var code = await RolloutWait.UntilSettledAsync(client, spec.Name, deployment.Revision, TimeSpan.FromSeconds(parseResult.GetValue(timeout)),
                context.Error, environment.Time, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(await client.GetDeploymentAsync(spec.Name, cancellationToken)));
            }

            return code;
        });
        return command;
    }

    /// <summary><c>3</c> or <c>@staging</c>.</summary>
    internal static ModelTarget Candidate(string text) => text.StartsWith('@')
        ? new ModelTarget { Alias = RegistryReference.Alias(text[1..]) }
        : new ModelTarget { Version = RegistryReference.Version(text, "--canary " + text) };

    private static async Task<Deployment?> ExistingAsync(Client.MlOpsClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetDeploymentAsync(name, cancellationToken);
        }
        catch (CliException ex) when (ex.Status == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }
}
