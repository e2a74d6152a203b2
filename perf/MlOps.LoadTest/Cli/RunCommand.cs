using System.CommandLine;
using MlOps.LoadTest.Results;
using MlOps.LoadTest.Running;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>mlops-loadtest run SCENARIOS.yaml</c>: runs the file's scenarios one after the other, prints the table,
/// writes JSON, markdown and HTML reports, and exits 1 when a threshold failed.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("scenarios") { Description = "YAML scenario file", HelpName = "FILE.yaml" };
        var only = new Option<string[]>("--scenario", "-s") { Description = "Run only these scenarios (repeatable)", HelpName = "NAME" };
        var grpc = new Option<string>("--grpc") { Description = "Send every gRPC scenario here instead of its target", HelpName = "URL" };
        var rest = new Option<string>("--rest") { Description = "Send every REST scenario here instead of its target", HelpName = "URL" };
        var output = SharedOptions.Output();
        var commit = SharedOptions.Commit();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No per-second progress lines" };
        var security = new SecurityOptions();
        var command = security.AddTo(new Command("run", "Run the scenarios of a YAML file") { file, only, grpc, rest, output, commit, quiet });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(file)!;
            var scenarios = ScenarioFile.Load(path);
            var names = parseResult.GetValue(only) ?? [];
            var unknown = names.Where(n => scenarios.All(s => s.Name != n)).ToList();
            if (unknown.Count > 0)
            {
                throw new UsageException($"--scenario: {string.Join(", ", unknown)} not in {path} (it has {string.Join(", ", scenarios.Select(s => s.Name))})");
            }

            var grpcTarget = SharedOptions.ParseUri(parseResult.GetValue(grpc), "--grpc");
            var restTarget = SharedOptions.ParseUri(parseResult.GetValue(rest), "--rest");
            var credentials = security.Read(parseResult);
            var selected = scenarios
                .Where(s => names.Length == 0 || names.Contains(s.Name))
                .Select(s => s with
                {
                    Target = (s.Transport == TransportKind.Grpc ? grpcTarget : restTarget) ?? s.Target,
                    Security = credentials,
                })
                .ToList();

            var runner = new ScenarioRunner(parseResult.GetValue(quiet) ? null : stderr);
            var results = new List<RunResult>();
            foreach (var scenario in selected)
            {
                results.Add(await runner.RunAsync(scenario, cancellationToken));
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }

            var report = new LoadReport
            {
                Title = $"Load test: {Path.GetFileName(path)}",
                Machine = MachineDescription.Current(),
                Commit = parseResult.GetValue(commit),
                CreatedAt = DateTimeOffset.UtcNow,
                Runs = results,
            };
            var directory = parseResult.GetValue(output) ?? SharedOptions.DefaultOutput(report.Commit);
            await ResultsOutput.WriteAsync([(report, Path.GetFileNameWithoutExtension(path))], directory, stdout);
            return report.Passed ? ExitCodes.Ok : ExitCodes.ThresholdFailed;
        });
        return command;
    }
}
