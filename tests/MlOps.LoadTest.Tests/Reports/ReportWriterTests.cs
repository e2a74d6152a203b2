using MlOps.LoadTest.Reports;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class ReportWriterTests
{
    [Fact]
    public void WriteAll_NewDirectory_WritesThreeFiles()
    {
        using var dir = new TempDirectory("report-writer");
        var target = dir.Combine("nested", "results");

        var files = ReportWriter.WriteAll(SampleReports.Report(), target, "run-1");

        Assert.Equal(
            [Path.Combine(target, "run-1.json"), Path.Combine(target, "run-1.md"), Path.Combine(target, "run-1.html")],
            files.All);
        Assert.All(files.All, path => Assert.True(new FileInfo(path).Length > 0, path));
        Assert.Equal("Standard scenarios: fashion-mlp", JsonReport.Read(files.Json).Title);
        Assert.StartsWith("# Standard", File.ReadAllText(files.Markdown));
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(files.Html));
        Assert.NotEqual(0xEF, File.ReadAllBytes(files.Html)[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("../up")]
    public void WriteAll_BaseNameNotAName_Throws(string baseName)
    {
        using var dir = new TempDirectory("report-writer");

        Assert.ThrowsAny<ArgumentException>(() => ReportWriter.WriteAll(SampleReports.Report(), dir.Path, baseName));
    }
}
