using System.CommandLine;
using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>mlops-loadtest report RESULTS.json -o DIR [--scenario NAME ...]</c>: renders a saved report again (table,
/// markdown, HTML), optionally with only some of its runs, e.g. to show one rollout next to its baseline.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("report") { Description = "A report written by run or standard", HelpName = "FILE.json" };
        var only = new Option<string[]>("--scenario", "-s") { Description = "Keep only these runs (repeatable)", HelpName = "NAME" };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the rendered files", HelpName = "DIR", Required = true };
        var command = new Command("report", "Render a saved JSON report again, optionally with only some runs") { file, only, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UsageException($"no such report: {path}");
            }

            LoadReport report;
            try
            {
                report = JsonReport.Read(path);
            }
            catch (InvalidDataException ex)
            {
                throw new UsageException($"{path}: not a load-test report: {ex.Message}");
            }

            var names = parseResult.GetValue(only) ?? [];
            var unknown = names.Where(n => report.Runs.All(r => r.Scenario != n)).ToList();
            if (unknown.Count > 0)
            {
                throw new UsageException($"--scenario: {string.Join(", ", unknown)} not in {path}");
            }

            var selected = names.Length == 0
                ? report
                : report with { Runs = report.Runs.Where(r => names.Contains(r.Scenario)).ToList() };
            await ResultsOutput.WriteAsync([(selected, Path.GetFileNameWithoutExtension(path))], parseResult.GetValue(output)!, stdout);
            return ExitCodes.Ok;
        });
        return command;
    }
}
