using MlOps.LoadTest.Reports;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class ConsoleTableTests
{
    [Fact]
    public void Render_PassingRun_ShowsFiguresAndPass()
    {
        var text = ConsoleTable.Render(SampleReports.Report());

        Assert.Contains("saturation-grpc-64", text);
        Assert.Contains("123,456", text);
        Assert.Contains("41,133", text);
        Assert.Contains("7.31", text);
        Assert.Contains("12 (0.01%)", text);
        Assert.Contains("PASS", text);
        Assert.DoesNotContain("FAIL", text);
        Assert.Contains("41,133 req/s at 64 users", text);
    }

    [Fact]
    public void Render_FailedThreshold_ListsFailWithThresholdAndActual()
    {
        var text = ConsoleTable.Render(SampleReports.Report(SampleReports.Run(passed: false)));

        var failure = Assert.Single(text.Split('\n'), l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("error_rate == 0", failure);
        Assert.Contains("0.0097%", failure);
        Assert.Contains("Failed thresholds:", text);
    }

    [Fact]
    public void Render_SeveralRuns_AlignsColumns()
    {
        var text = ConsoleTable.Render(SampleReports.Report(SampleReports.Run("a"), SampleReports.Run("a-much-longer-name")));

        var lines = text.Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("scenario", StringComparison.Ordinal));
        var p50 = lines[header].IndexOf("p50 ms", StringComparison.Ordinal) + "p50 ms".Length;
        // Numbers are right-aligned: every row's p50 value ends where the header does.
        Assert.Equal("1.05", lines[header + 2][(p50 - 4)..p50]);
        Assert.Equal("1.05", lines[header + 3][(p50 - 4)..p50]);
    }

    [Fact]
    public void Render_RunWithoutThresholds_ShowsDash()
    {
        var text = ConsoleTable.Render(SampleReports.Report(SampleReports.EmptyRun()));

        Assert.DoesNotContain("PASS", text);
        Assert.DoesNotContain("FAIL", text);
    }
}
