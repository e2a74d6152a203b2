using System.CommandLine;
using System.Globalization;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Monitoring;

/// <summary><c>mlops monitor NAME</c>: each served version's latest drift evaluation and live accuracy.</summary>
internal static class MonitorCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var name = new Argument<string>("name") { Description = "Model name", HelpName = "NAME" };
        var command = shared.AddTo(new Command("monitor", "Show data drift against the training-time reference and live accuracy, per served version") { name });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var monitor = await client.GetModelMonitorAsync(parseResult.GetValue(name)!, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(monitor));
                return ExitCodes.Ok;
            }

            if (monitor.Versions.Count == 0)
            {
                await context.Error.WriteLineAsync(
                    $"no live data for model {monitor.Model} yet: agents report a window per served version every minute (Agent:Serving:ProfileWindow)");
                return ExitCodes.Ok;
            }

            Write(monitor, context.Out, context.Environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void Write(ModelMonitor monitor, TextWriter output, bool terminal)
    {
        foreach (var version in monitor.Versions)
        {
            new KeyValueWriter()
                .Add("model", $"{monitor.Model}:{version.Version.ToString(CultureInfo.InvariantCulture)}")
                .Add("verdict", version.Verdict)
                .Add("window", $"{Display.Time(version.WindowStart)} - {Display.Time(version.WindowEnd)}")
                .Add("requests", $"{Display.Integer(version.Requests)} ({Display.Integer(version.Profiled)} profiled)")
                .Add("accuracy", version.Labels > 0
                    ? $"{(100.0 * version.Correct / version.Labels).ToString("F1", CultureInfo.InvariantCulture)}% of {Display.Integer(version.Labels)} labelled"
                    : "no labels (POST /v2/models/NAME/feedback)")
                .AddIfSet("alert", version.AccuracyAlert ? "live accuracy below the threshold" : null)
                .Add("images (MMD)", version.Verdict is "DRIFT" or "NO_DRIFT" ? $"p = {version.ImagePValue:G3}{(version.ImageDrifted ? "  DRIFT" : "")}" : Display.None)
                .Add("predictions", version.Verdict is "DRIFT" or "NO_DRIFT"
                    ? $"p = {version.PredictionPValue:G3}, JS = {version.PredictionJs:F4}{(version.PredictionDrifted ? "  DRIFT" : "")}"
                    : Display.None)
                .Add("evaluations", $"{Display.Integer(version.Evaluations)} ({Display.Integer(version.DriftEvaluations)} with drift{(version.LastDriftAt is null ? "" : ", last " + Display.Time(version.LastDriftAt))})")
                .Write(output);
            if (version.Features.Count > 0)
            {
                var table = new TextTable("feature", "PSI", "KS D", "p (Holm)", "reference mean", "live mean", "");
                foreach (var feature in version.Features)
                {
                    table.AddRow(feature.Name, feature.Psi.ToString("F3", CultureInfo.InvariantCulture), feature.KsD.ToString("F3", CultureInfo.InvariantCulture),
                        feature.KsPValue.ToString("G3", CultureInfo.InvariantCulture), feature.ReferenceMean.ToString("F3", CultureInfo.InvariantCulture),
                        feature.LiveMean.ToString("F3", CultureInfo.InvariantCulture), feature.Drifted ? "DRIFT" : "");
                }

                table.Write(output, terminal);
            }

            foreach (var reason in version.Reasons)
            {
                output.WriteLine("  - " + reason);
            }

            output.WriteLine();
        }
    }
}
