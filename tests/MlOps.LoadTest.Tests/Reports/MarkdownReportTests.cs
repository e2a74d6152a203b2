using MlOps.LoadTest.Reports;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class MarkdownReportTests
{
    [Fact]
    public void Render_Report_HasSummaryRowWithFigures()
    {
        var markdown = MarkdownReport.Render(SampleReports.Report());

        Assert.Contains(
            "| saturation-grpc-64 | grpc | closed, 64 users | 123,456 | 12 (0.01%) | 41,133 | 1.05 | 2.40 | 7.31 | 12.5 | 48.7 | PASS |",
            markdown);
        Assert.Contains("| scenario | transport |", markdown);
        Assert.Contains("|:---|:---|:---|---:|", markdown);
    }

    [Fact]
    public void Render_Report_HasMachineCommitNotesThresholdsAndActions()
    {
        var markdown = MarkdownReport.Render(SampleReports.Report(SampleReports.Run(passed: false)));

        Assert.StartsWith("# Standard scenarios: fashion-mlp\n", markdown);
        Assert.Contains("`2984d39`", markdown);
        Assert.Contains("2025-06-01 12:05:00 +02:00", markdown);
        Assert.Contains("AMD EPYC 7B13, 2 cores", markdown);
        Assert.Contains("8 GiB", markdown);
        Assert.Contains("Debian GNU/Linux 13", markdown);
        Assert.Contains(".NET 10.0.0", markdown);
        Assert.Contains("**Load average:** 0.42", markdown);
        Assert.Contains("- **saturation (grpc):** 41,133 req/s at 64 users", markdown);
        Assert.Contains("| error_rate == 0 | 0.0097% | FAIL |", markdown);
        Assert.Contains("| rollout v2 | 0.5 | 2.3 | 0 |", markdown);
        Assert.Contains("deployment \"v2\" rolled out", markdown);
        Assert.Contains("**Result:** FAIL", markdown);
    }

    [Fact]
    public void Render_HeadingLevelTwo_StartsSectionsOneLevelBelow()
    {
        var markdown = MarkdownReport.Render(SampleReports.Report(), headingLevel: 2);

        Assert.StartsWith("## Standard", markdown);
        Assert.Contains("\n### Summary\n", markdown);
        Assert.Contains("\n#### Thresholds\n", markdown);
    }

    [Fact]
    public void Render_PipeAndHtmlInNames_AreEscaped()
    {
        var markdown = MarkdownReport.Render(SampleReports.Report(SampleReports.Run("a|b<i>")));

        Assert.Contains("| a\\|b\\<i\\> | grpc |", markdown);
        Assert.DoesNotContain("<i>", markdown);
    }

    [Fact]
    public void Render_OutputWithBackticks_UsesLongerFence()
    {
        var run = SampleReports.Run() with { Events = [new("deploy", 1, 2, 1, "```\nboom")] };

        var markdown = MarkdownReport.Render(SampleReports.Report(run));

        Assert.Contains("````\n```\nboom\n````", markdown);
    }
}
