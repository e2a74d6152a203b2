using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Retraining;

/// <summary><c>mlops retrain policy set|show|ls|rm</c>: a model's retraining policy (retraining.proto, SetPolicy and friends).</summary>
internal static class PolicyCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared) =>
        new("policy", "Set, show, list or remove the retraining policy of a model")
        {
            CreateSet(environment, shared),
            CreateShow(environment, shared),
            CreateList(environment, shared),
            CreateRemove(environment, shared),
        };

    private static Command CreateSet(CliEnvironment environment, SharedOptions shared)
    {
        var model = ModelArgument();
        var options = new PolicyOptions();
        var command = shared.AddTo(new Command("set", "Create or replace a model's policy: what starts a retraining run and how its candidate is judged") { model });
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var policy = options.ToPolicy(parseResult, RegistryReference.Name(parseResult.GetValue(model)!, "model"));
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var stored = await client.SetRetrainingPolicyAsync(policy, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(stored));
                return ExitCodes.Ok;
            }

            RetrainingText.Describe(stored, context.Out);
            if (!RetrainingText.AnyTrigger(stored.Triggers))
            {
                await context.Error.WriteLineAsync($"no trigger set: only 'mlops retrain now {stored.Model}' starts a run");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateShow(CliEnvironment environment, SharedOptions shared)
    {
        var model = ModelArgument();
        var command = shared.AddTo(new Command("show", "Show a model's retraining policy") { model });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var name = RegistryReference.Name(parseResult.GetValue(model)!, "model");
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var policy = await client.GetRetrainingPolicyAsync(name, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(policy));
            }
            else
            {
                RetrainingText.Describe(policy, context.Out);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateList(CliEnvironment environment, SharedOptions shared)
    {
        var command = shared.AddTo(new Command("ls", "List the retraining policies"));
        command.Aliases.Add("list");
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var policies = await client.ListRetrainingPoliciesAsync(cancellationToken);
            if (context.Json)
            {
                var response = new ListRetrainingPoliciesResponse();
                response.Policies.Add(policies);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (policies.Count == 0)
            {
                await context.Error.WriteLineAsync("no retraining policies yet; 'mlops retrain policy set MODEL' creates one");
                return ExitCodes.Ok;
            }

            Table(policies).Write(context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRemove(CliEnvironment environment, SharedOptions shared)
    {
        var model = ModelArgument();
        var command = shared.AddTo(new Command("rm", "Remove a model's policy (a run in progress goes on to its end)") { model });
        command.Aliases.Add("delete");
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var name = RegistryReference.Name(parseResult.GetValue(model)!, "model");
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var response = await client.DeleteRetrainingPolicyAsync(name, cancellationToken);
            await context.Out.WriteLineAsync(context.Json ? ProtoJson.Indented(response) : $"removed the retraining policy of {name}");
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static TextTable Table(IEnumerable<RetrainingPolicy> policies)
    {
        var table = new TextTable("model", "deployment", "triggers", "canary", "cooldown", "alias", "paused", "updated");
        foreach (var policy in policies)
        {
            // The effective values, unmarked: 'policy show' says which come from the coordinator's defaults.
            table.AddRow(policy.Model, RetrainingText.Deployment(policy, mark: false), RetrainingText.Triggers(policy.Triggers),
                RetrainingText.Canary(policy, mark: false), RetrainingText.Cooldown(policy, mark: false), RetrainingText.Alias(policy, mark: false),
                policy.Paused ? "yes" : "no", Display.Time(policy.UpdatedAt));
        }

        return table;
    }

    private static Argument<string> ModelArgument() => new("model") { Description = "Registered model name", HelpName = "MODEL" };
}
