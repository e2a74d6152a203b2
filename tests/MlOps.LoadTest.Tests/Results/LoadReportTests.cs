using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Results;
using MlOps.LoadTest.Tests.Reports;

namespace MlOps.LoadTest.Tests.Results;

public class LoadReportTests
{
    [Fact]
    public void Passed_MissedTargetNote_False()
    {
        var report = SampleReports.Report(SampleReports.Run()) with
        {
            Notes = [new ReportNote("saturation", "41,000 req/s"), new ReportNote("target: ratio ≥ 0.7", "NOT met: 0.51", Met: false)],
        };

        Assert.False(report.Passed);
        Assert.Contains("class=\"fail\"", HtmlReport.Render(report));
    }

    [Fact]
    public void Passed_MetTargetAndPlainNotes_True()
    {
        var report = SampleReports.Report(SampleReports.Run()) with
        {
            Notes = [new ReportNote("saturation", "41,000 req/s"), new ReportNote("target: p99", "met: 7.7 ms", Met: true)],
        };

        Assert.True(report.Passed);
    }

    [Fact]
    public void JsonReport_TargetNote_KeepsMet()
    {
        var report = SampleReports.Report(SampleReports.Run()) with { Notes = [new ReportNote("target: x", "NOT met", Met: false)] };

        var read = JsonReport.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(JsonReport.Serialize(report))));

        Assert.False(Assert.Single(read.Notes).Met);
        Assert.False(read.Passed);
    }
}
