using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Cli.References;

namespace MlOps.Cli.Retraining;

/// <summary>
/// <c>mlops retrain now MODEL [--reason TEXT]</c>: starts a run whatever the policy's triggers and cooldown say.
/// stdout gets the run id alone (so <c>id=$(mlops retrain now m)</c> works), stderr the first decision.
/// </summary>
internal static class TriggerCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var model = new Argument<string>("model") { Description = "Model with a retraining policy", HelpName = "MODEL" };
        var reason = new Option<string?>("--reason") { Description = "Recorded with the run's trigger decision", HelpName = "TEXT" };
        var command = shared.AddTo(new Command("now", "Start a retraining run now (trigger \"manual\")") { model, reason });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var name = RegistryReference.Name(parseResult.GetValue(model)!, "model");
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var run = await client.TriggerRetrainingAsync(name, parseResult.GetValue(reason) ?? "", cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(run));
                return ExitCodes.Ok;
            }

            await context.Out.WriteLineAsync(run.Id);
            await context.Error.WriteLineAsync($"retraining {run.Model}: run {run.Id} is {RetrainingText.State(run.State)}");
            if (run.Decisions.Count > 0)
            {
                RetrainingText.Decision(run.Decisions[0], context.Error);
            }

            await context.Error.WriteLineAsync($"follow it with: mlops retrain show {run.Id} --watch");
            return ExitCodes.Ok;
        });
        return command;
    }
}
