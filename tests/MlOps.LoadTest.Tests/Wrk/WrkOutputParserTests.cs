using MlOps.LoadTest.Wrk;

namespace MlOps.LoadTest.Tests.Wrk;

public class WrkOutputParserTests
{
    [Fact]
    public void Parse_Milliseconds_ReadsRateCountAndPercentiles()
    {
        var result = WrkOutputParser.Parse(WrkSampleOutputs.Milliseconds);

        Assert.Equal(91.79, result.RequestsPerSecond, 6);
        Assert.Equal(184, result.Requests);
        Assert.Equal(0, result.Non2xx);
        Assert.Equal(0, result.SocketErrors);
        Assert.Equal(43.97, result.P50Ms!.Value, 6);
        Assert.Equal(48.06, result.P99Ms!.Value, 6);
        Assert.Equal(WrkSampleOutputs.Milliseconds, result.RawOutput);
    }

    [Fact]
    public void Parse_MicrosecondsWithNon2xx_ConvertsToMillisecondsAndCountsNon2xx()
    {
        var result = WrkOutputParser.Parse(WrkSampleOutputs.MicrosecondsWithNon2xx);

        Assert.Equal(78420.35, result.RequestsPerSecond, 6);
        Assert.Equal(784512, result.Requests);
        Assert.Equal(1204, result.Non2xx);
        Assert.Equal(0, result.SocketErrors);
        Assert.Equal(0.745, result.P50Ms!.Value, 6);
        Assert.Equal(1.92, result.P99Ms!.Value, 6);
    }

    [Fact]
    public void Parse_SecondsWithSocketErrors_AddsUpEveryKindOfSocketError()
    {
        var result = WrkOutputParser.Parse(WrkSampleOutputs.SecondsWithErrors);

        Assert.Equal(426.58, result.RequestsPerSecond, 6);
        Assert.Equal(12840, result.Requests);
        Assert.Equal(37, result.Non2xx);
        Assert.Equal(12 + 3 + 2210, result.SocketErrors);
        Assert.Equal(1180, result.P50Ms!.Value, 6);
        Assert.Equal(1980, result.P99Ms!.Value, 6);
    }

    [Fact]
    public void Parse_WithoutLatencyDistribution_LeavesPercentilesNull()
    {
        var result = WrkOutputParser.Parse(WrkSampleOutputs.WithoutDistribution);

        Assert.Equal(5901.92, result.RequestsPerSecond, 6);
        Assert.Equal(29512, result.Requests);
        Assert.Null(result.P50Ms);
        Assert.Null(result.P99Ms);
    }

    [Fact]
    public void Parse_WindowsLineEndings_ReadsTheSame()
    {
        var result = WrkOutputParser.Parse(WrkSampleOutputs.SecondsWithErrors.Replace("\n", "\r\n"));

        Assert.Equal(12840, result.Requests);
        Assert.Equal(2225, result.SocketErrors);
        Assert.Equal(1980, result.P99Ms!.Value, 6);
    }

    [Fact]
    public void Parse_NoSummary_ThrowsWithTheOutput()
    {
        var error = Assert.Throws<LoadTestException>(() => WrkOutputParser.Parse("unable to connect to 127.0.0.1:1 Connection refused\n"));

        Assert.Contains("Requests/sec", error.Message);
        Assert.Contains("Connection refused", error.Message);
    }

    [Theory]
    [InlineData("250.00", "us", 0.25)]
    [InlineData("3.50", "ms", 3.5)]
    [InlineData("1.02", "s", 1020)]
    [InlineData("2.00", "m", 120_000)]
    [InlineData("1.00", "h", 3_600_000)]
    public void Milliseconds_EachWrkUnit_Converts(string number, string unit, double expected)
    {
        Assert.Equal(expected, WrkOutputParser.Milliseconds(number, unit), 6);
    }
}
