using MlOps.LoadTest.Results;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Tests.Scenarios;

public sealed class ThresholdEvaluatorTests
{
    private static RunResult Result(double p99 = 10.0, long requests = 150_000, long errors = 0, double throughput = 15_234.4) => new()
    {
        Scenario = "s",
        Transport = "grpc",
        Target = "http://127.0.0.1:8001",
        Model = "m",
        LoadModel = "closed, 64 users",
        Requests = requests,
        Errors = errors,
        Throughput = throughput,
        Latency = new LatencySummary(Mean: 4.5, P50: 4, P90: 8, P99: p99, P999: 0.25, Max: 1234.5678, Min: 1),
    };

    private static ThresholdOutcome EvaluateOne(string threshold, RunResult result) =>
        Assert.Single(ThresholdEvaluator.Evaluate([ThresholdParser.Parse(threshold)], result));

    [Theory]
    [InlineData("p99 < 10ms", false)]
    [InlineData("p99 <= 10ms", true)]
    [InlineData("p99 > 10ms", false)]
    [InlineData("p99 >= 10ms", true)]
    [InlineData("p99 == 10ms", true)]
    [InlineData("p99 < 10001us", true)]
    [InlineData("p99 < 0.01s", false)]
    public void Evaluate_LatencyOnTheBoundary_ComparesExactly(string threshold, bool passed)
    {
        var outcome = EvaluateOne(threshold, Result(p99: 10.0));

        Assert.Equal(passed, outcome.Passed);
        Assert.Equal(threshold, outcome.Threshold);
        Assert.Equal("10 ms", outcome.Actual);
    }

    [Theory]
    [InlineData("p99.9 <= 250us", "0.25 ms", true)]
    [InlineData("max < 1s", "1,234.568 ms", false)]
    [InlineData("mean < 5ms", "4.5 ms", true)]
    [InlineData("throughput >= 15000", "15,234 req/s", true)]
    [InlineData("throughput >= 15300/s", "15,234 req/s", false)]
    [InlineData("error_rate == 0", "0.00 %", true)]
    [InlineData("errors == 0", "0 errors", true)]
    public void Evaluate_EachMetric_ReportsActualWithUnit(string threshold, string actual, bool passed)
    {
        var outcome = EvaluateOne(threshold, Result());

        Assert.Equal(actual, outcome.Actual);
        Assert.Equal(passed, outcome.Passed);
    }

    [Theory]
    [InlineData(1, "error_rate == 0", "0.000667 %", false)]
    [InlineData(150, "error_rate <= 0.1%", "0.10 %", true)]
    [InlineData(151, "error_rate <= 0.1%", "0.10 %", false)]
    [InlineData(1, "errors < 1", "1 error", false)]
    public void Evaluate_Errors_ComparesRateAndCount(long errors, string threshold, string actual, bool passed)
    {
        var outcome = EvaluateOne(threshold, Result(errors: errors));

        Assert.Equal(actual, outcome.Actual);
        Assert.Equal(passed, outcome.Passed);
    }

    [Fact]
    public void Evaluate_NoRequestsCompleted_FailsLatencyAndRateButComparesCounts()
    {
        var thresholds = new[] { "p99 < 10ms", "error_rate == 0", "errors == 0", "throughput >= 1" }.Select(ThresholdParser.Parse).ToList();

        var outcomes = ThresholdEvaluator.Evaluate(thresholds, Result(requests: 0, throughput: 0) with { Latency = LatencySummary.Empty });

        Assert.Equal([false, false, true, false], outcomes.Select(o => o.Passed));
        Assert.Equal("no requests completed", outcomes[0].Actual);
        Assert.Equal("0 req/s", outcomes[3].Actual);
    }

    [Fact]
    public void Evaluate_OutcomesInResult_DecideWhetherTheRunPassed()
    {
        var result = Result();
        var outcomes = ThresholdEvaluator.Evaluate([ThresholdParser.Parse("p99 <= 10ms"), ThresholdParser.Parse("errors == 0")], result);

        Assert.True((result with { Thresholds = outcomes }).Passed);
    }
}
