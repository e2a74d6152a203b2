using System.Text;
using System.Text.Json.Nodes;
using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Results;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class JsonReportTests
{
    [Fact]
    public void WriteRead_File_RoundTripsEveryField()
    {
        using var dir = new TempDirectory("report-json");
        var original = SampleReports.Report(SampleReports.Run(passed: false), SampleReports.EmptyRun());
        var path = dir.Combine("report.json");

        JsonReport.Write(original, path);
        var read = JsonReport.Read(path);

        Assert.Equal(original.Title, read.Title);
        Assert.Equal(original.Machine, read.Machine);
        Assert.Equal(original.Commit, read.Commit);
        Assert.Equal(original.CreatedAt, read.CreatedAt);
        Assert.Equal(original.Notes, read.Notes);
        Assert.False(read.Passed);
        Assert.Equal(original.Runs.Count, read.Runs.Count);
        for (var i = 0; i < original.Runs.Count; i++)
        {
            AssertSameRun(original.Runs[i], read.Runs[i]);
        }
    }

    [Fact]
    public void Serialize_Report_IsCamelCaseAndIndented()
    {
        var json = JsonReport.Serialize(SampleReports.Report());

        Assert.Contains("\"title\": \"Standard scenarios: fashion-mlp\"", json);
        Assert.Contains("\"p99\": 7.31", json);
        Assert.Contains("\"UNAVAILABLE\": 12", json);
        Assert.Contains("\n  \"machine\": {", json);
    }

    [Fact]
    public void Read_ComputedPropertiesInJson_AreIgnored()
    {
        var json = JsonNode.Parse(JsonReport.Serialize(SampleReports.Report()))!;
        Assert.NotNull(json["runs"]![0]!["errorRate"]);
        Assert.NotNull(json["runs"]![0]!["samplesPerSecond"]);

        // Values that contradict the stored fields must not win over them (nor fail the read).
        json["passed"] = false;
        json["runs"]![0]!["samplesPerSecond"] = 1;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString()));
        var read = JsonReport.Read(stream);

        Assert.True(read.Passed);
        Assert.Equal(41_133.4, read.Runs[0].SamplesPerSecond);
    }

    [Fact]
    public void WriteRead_NaNLatency_RoundTrips()
    {
        var run = SampleReports.EmptyRun() with { Latency = LatencySummary.Empty with { Mean = double.NaN } };
        using var stream = new MemoryStream();

        JsonReport.Write(SampleReports.Report(run), stream);
        stream.Position = 0;

        Assert.True(double.IsNaN(JsonReport.Read(stream).Runs[0].Latency.Mean));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"title\": 3}")]
    [InlineData("not json")]
    public void Read_NotAReport_ThrowsInvalidData(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        Assert.Throws<InvalidDataException>(() => JsonReport.Read(stream));
    }

    private static void AssertSameRun(RunResult expected, RunResult actual)
    {
        Assert.Equal(expected.Scenario, actual.Scenario);
        Assert.Equal(expected.Transport, actual.Transport);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.LoadModel, actual.LoadModel);
        Assert.Equal(expected.Users, actual.Users);
        Assert.Equal(expected.StartedAt, actual.StartedAt);
        Assert.Equal(expected.DurationSeconds, actual.DurationSeconds);
        Assert.Equal(expected.Requests, actual.Requests);
        Assert.Equal(expected.Errors, actual.Errors);
        Assert.Equal(expected.ErrorsByStatus, actual.ErrorsByStatus);
        Assert.Equal(expected.Throughput, actual.Throughput);
        Assert.Equal(expected.Latency, actual.Latency);
        Assert.Equal(expected.Distribution, actual.Distribution);
        Assert.Equal(expected.Series, actual.Series);
        Assert.Equal(expected.Events, actual.Events);
        Assert.Equal(expected.Thresholds, actual.Thresholds);
        Assert.Equal(expected.Passed, actual.Passed);
    }
}
