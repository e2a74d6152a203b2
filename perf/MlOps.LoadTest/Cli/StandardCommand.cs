using System.CommandLine;
using System.Globalization;
using MlOps.LoadTest.Scenarios;
using MlOps.LoadTest.Standard;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>mlops-loadtest standard --grpc URL --rest URL --model NAME[=FILE.onnx] ...</c>: the standard scenarios for
/// each model, one report per model; exits 1 when a threshold or a given target was missed.
/// </summary>
internal static class StandardCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var grpc = new Option<string>("--grpc") { Description = "gRPC inference endpoint", HelpName = "URL", Required = true };
        var rest = new Option<string>("--rest") { Description = "REST inference endpoint", HelpName = "URL", Required = true };
        var models = new Option<string[]>("--model", "-m") { Description = "Served model, with its ONNX file for the in-process limit (repeatable)", HelpName = "NAME[=FILE.onnx]", Required = true };
        var rollout = new Option<string[]>("--rollout") { Description = "Command that rolls NAME to another version, run under load", HelpName = "NAME=COMMAND" };
        var minSaturation = new Option<string[]>("--min-saturation") { Description = "Target: gRPC saturation req/s", HelpName = "NAME=N" };
        var maxP99 = new Option<string[]>("--max-p99-at-half") { Description = "Target: gRPC p99 at 50 % of saturation", HelpName = "NAME=10ms" };
        var minRatio = new Option<string[]>("--min-inprocess-ratio") { Description = "Target: served / in-process samples/s at the formed batch", HelpName = "NAME=0.7" };
        var transports = new Option<string[]>("--transport") { Description = "grpc and/or rest (default both)", HelpName = "grpc|rest" };
        var noWrk = new Option<bool>("--no-wrk") { Description = "Skip the wrk cross-check" };
        var quick = new Option<bool>("--quick") { Description = "Short steps and few of them: checks the setup, measures little" };
        var dataset = new Option<string>("--dataset") { Description = "Fashion-MNIST directory", HelpName = "DIR", DefaultValueFactory = _ => Scenario.DefaultDataset };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Per-second progress of every run" };
        var output = SharedOptions.Output();
        var commit = SharedOptions.Commit();
        var security = new SecurityOptions();
        var command = security.AddTo(new Command("standard", "Saturation, latency at 25/50/75 % of saturation, wrk cross-check, in-process limit and rollout under load")
        {
            grpc, rest, models, rollout, minSaturation, maxP99, minRatio, transports, noWrk, quick, dataset, verbose, output, commit,
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var rollouts = Pairs(parseResult.GetValue(rollout), "--rollout");
            var saturations = Pairs(parseResult.GetValue(minSaturation), "--min-saturation");
            var p99s = Pairs(parseResult.GetValue(maxP99), "--max-p99-at-half");
            var ratios = Pairs(parseResult.GetValue(minRatio), "--min-inprocess-ratio");
            var list = parseResult.GetValue(models)!.Select(m =>
            {
                var at = m.IndexOf('=', StringComparison.Ordinal);
                var name = at < 0 ? m : m[..at];
                var onnx = at < 0 ? null : m[(at + 1)..];
                if (onnx is not null && !File.Exists(onnx))
                {
                    throw new UsageException($"--model {name}: no such ONNX file: {onnx}");
                }

                return new StandardModel(name, onnx, rollouts.GetValueOrDefault(name),
                    saturations.TryGetValue(name, out var s) ? Number(s, "--min-saturation") : null,
                    p99s.TryGetValue(name, out var p) ? Duration(p, "--max-p99-at-half") : null,
                    ratios.TryGetValue(name, out var r) ? Number(r, "--min-inprocess-ratio") : null);
            }).ToList();
            foreach (var name in rollouts.Keys.Concat(saturations.Keys).Concat(p99s.Keys).Concat(ratios.Keys).Where(n => list.All(m => m.Name != n)))
            {
                throw new UsageException($"a target or rollout names '{name}', which is not one of the --model values");
            }

            var options = new StandardOptions
            {
                Grpc = SharedOptions.ParseUri(parseResult.GetValue(grpc), "--grpc")!,
                Rest = SharedOptions.ParseUri(parseResult.GetValue(rest), "--rest")!,
                Models = list,
                Security = security.Read(parseResult),
                Dataset = parseResult.GetValue(dataset)!,
                Wrk = !parseResult.GetValue(noWrk),
                Transports = Transports(parseResult.GetValue(transports)),
            };
            if (parseResult.GetValue(quick))
            {
                options = StandardOptions.Quick(options);
            }

            var suite = new StandardSuite(options, stderr, parseResult.GetValue(verbose) ? stderr : null);
            var reports = await suite.RunAsync(parseResult.GetValue(commit), cancellationToken);
            var directory = parseResult.GetValue(output) ?? SharedOptions.DefaultOutput(parseResult.GetValue(commit));
            await ResultsOutput.WriteAsync(reports.Select(r => (r, $"standard-{(r.Runs.Count > 0 ? r.Runs[0].Model : "model")}")), directory, stdout);
            var ok = reports.All(r => r.Passed && StandardNotes.TargetsMet(r));
            await stdout.WriteLineAsync(ok ? "all thresholds and targets met" : "a threshold or target was NOT met (see the notes above)");
            return ok ? ExitCodes.Ok : ExitCodes.ThresholdFailed;
        });
        return command;
    }

    private static Dictionary<string, string> Pairs(string[]? values, string option) =>
        (values ?? []).Select(v => SharedOptions.Pair(v, option)).ToDictionary(p => p.Name, p => p.Value);

    private static double Number(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{option}: '{text}' is not a positive number");

    private static TimeSpan Duration(string text, string option) =>
        DurationText.TryParse(text, out var value, out var error) ? value : throw new UsageException($"{option}: {error}");

    private static IReadOnlyList<TransportKind> Transports(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return [TransportKind.Grpc, TransportKind.Rest];
        }

        return values.Select(v => v.ToLowerInvariant() switch
        {
            "grpc" => TransportKind.Grpc,
            "rest" => TransportKind.Rest,
            _ => throw new UsageException($"--transport: '{v}' is not grpc or rest"),
        }).Distinct().ToList();
    }
}
