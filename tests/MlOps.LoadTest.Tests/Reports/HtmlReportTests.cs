using System.Text.RegularExpressions;
using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class HtmlReportTests
{
    [Fact]
    public void Render_OneRun_HasFourCharts()
    {
        var html = HtmlReport.Render(SampleReports.Report());

        // Latency over time, throughput, the run's distribution, and the combined distribution.
        Assert.Equal(4, Count(html, "<svg"));
        Assert.Equal(Count(html, "<svg"), Count(html, "</svg>"));
    }

    [Fact]
    public void Render_TwoRuns_HasThreeChartsEachPlusCombined()
    {
        var html = HtmlReport.Render(SampleReports.Report(SampleReports.Run("a"), SampleReports.Run("b")));

        Assert.Equal(7, Count(html, "<svg"));
    }

    [Fact]
    public void Render_EmptySeriesAndDistribution_SaysSoInsteadOfCharts()
    {
        var html = HtmlReport.Render(SampleReports.Report(SampleReports.EmptyRun()));

        Assert.Equal(0, Count(html, "<svg"));
        Assert.Contains("No per-second samples were recorded.", html);
        Assert.Contains("No latency distribution was recorded.", html);
        Assert.Contains("No run recorded a latency distribution.", html);
    }

    [Fact]
    public void Render_EmptyAndFullRun_ChartsOnlyTheFullOne()
    {
        var html = HtmlReport.Render(SampleReports.Report(SampleReports.EmptyRun(), SampleReports.Run()));

        Assert.Equal(4, Count(html, "<svg"));
    }

    [Fact]
    public void Render_SingleSecondAndSinglePercentile_DrawsPoints()
    {
        var run = SampleReports.Run() with
        {
            Series = [new SecondSample(0, 10, 0, 1, 2, 3)],
            Distribution = [new PercentilePoint(100, 3)],
            Events = [],
        };

        var html = HtmlReport.Render(SampleReports.Report(run));

        Assert.Equal(4, Count(html, "<svg"));
        Assert.Contains("<circle", html);
        Assert.DoesNotContain("NaN", html);
    }

    [Fact]
    public void Render_MarkupInData_IsEscaped()
    {
        const string name = "a<b&\"c\"";
        var run = SampleReports.Run(name) with
        {
            Events = [new ScenarioEvent("<script>alert(1)</script>", 1, 2, 1, "it's <b>bold</b> & \"quoted\"")],
            Thresholds = [new ThresholdOutcome("p99 < 10 ms", "<12 ms>", false)],
        };
        var report = SampleReports.Report(run) with { Title = "<title>", Notes = [new ReportNote("n<", "v&")] };

        var html = HtmlReport.Render(report);

        Assert.Contains("a&lt;b&amp;&quot;c&quot;", html);
        Assert.DoesNotContain(name, html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;", html);
        Assert.Contains("p99 &lt; 10 ms", html);
        Assert.Contains("<title>&lt;title&gt;</title>", html);
    }

    [Fact]
    public void Render_Report_RefersToNothingOutsideItself()
    {
        var html = HtmlReport.Render(SampleReports.Report(SampleReports.Run("a"), SampleReports.Run("b", passed: false)));

        var withoutData = html.Replace(SampleReports.Target, "", StringComparison.Ordinal);
        Assert.DoesNotContain("http://", withoutData);
        Assert.DoesNotContain("https://", withoutData);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("@import", html);
    }

    [Fact]
    public void Render_FailedThreshold_IsMarkedFail()
    {
        var html = HtmlReport.Render(SampleReports.Report(SampleReports.Run(passed: false)));

        Assert.Contains("<td class=\"fail\">FAIL</td>", html);
        Assert.Contains("<tr class=\"failed\"><td>error_rate == 0</td><td>0.0097%</td>", html);
        Assert.Contains("<td class=\"pass\">PASS</td>", html);
    }

    [Fact]
    public void Render_Report_HasMachineNotesAndSummary()
    {
        var html = HtmlReport.Render(SampleReports.Report());

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<td>AMD EPYC 7B13</td>", html);
        Assert.Contains("<td>8 GiB</td>", html);
        Assert.Contains("41,133 req/s at 64 users", html);
        Assert.Contains("<td class=\"num\">7.31</td>", html);
        Assert.Contains("rollout v2", html);
    }

    private static int Count(string text, string value) => Regex.Count(text, Regex.Escape(value));
}
