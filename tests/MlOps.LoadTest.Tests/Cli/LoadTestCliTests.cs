using MlOps.LoadTest.Cli;
using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Tests.Reports;

namespace MlOps.LoadTest.Tests.Cli;

public sealed class LoadTestCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-loadtest-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await LoadTestCli.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Report_SomeScenarios_RendersOnlyThose()
    {
        var source = ReportWriter.WriteAll(SampleReports.Report(SampleReports.Run("keep-me"), SampleReports.Run("drop-me")), _directory, "source");
        var output = Path.Combine(_directory, "out");

        var (code, _, error) = await RunAsync("report", source.Json, "--scenario", "keep-me", "-o", output);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(error);
        var rendered = JsonReport.Read(Path.Combine(output, "source.json"));
        Assert.Equal(["keep-me"], rendered.Runs.Select(r => r.Scenario));
        Assert.DoesNotContain("drop-me", await File.ReadAllTextAsync(Path.Combine(output, "source.html")));
    }

    [Fact]
    public async Task Report_UnknownScenario_UsageErrorNamesIt()
    {
        var source = ReportWriter.WriteAll(SampleReports.Report(SampleReports.Run("a")), _directory, "source");

        var (code, _, error) = await RunAsync("report", source.Json, "--scenario", "nope", "-o", _directory);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("nope", error);
    }

    [Fact]
    public async Task Run_BadScenarioFile_UsageErrorListsEveryProblem()
    {
        var file = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(file, """
            scenarios:
              - name: x
                target: not-a-uri
                model: m
                duration: 5
                load: { open: { rate: -1 } }
            """);

        var (code, _, error) = await RunAsync("run", file);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("scenarios[0].target", error);
        Assert.Contains("scenarios[0].duration", error);
        Assert.Contains("scenarios[0].load.open.rate", error);
    }

    [Fact]
    public async Task Run_TargetUnreachable_FailedExitCode()
    {
        var file = Path.Combine(_directory, "unreachable.yaml");
        await File.WriteAllTextAsync(file, $"""
            scenarios:
              - name: x
                transport: rest
                target: http://127.0.0.1:{MlOps.Testing.FreePort.Next()}
                model: m
                duration: 1s
                load: {"{"} closed: {"{"} users: 1 {"}"} {"}"}
            """);

        var (code, _, error) = await RunAsync("run", file, "-o", _directory);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("could not be described", error);
    }

    [Fact]
    public async Task Standard_TargetForUnknownModel_UsageError()
    {
        var (code, _, error) = await RunAsync("standard", "--grpc", "http://127.0.0.1:1", "--rest", "http://127.0.0.1:2",
            "--model", "a", "--min-saturation", "b=100");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("'b'", error);
    }
}
