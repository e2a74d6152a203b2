using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Tests.Reports;

/// <summary>Reports with known figures for the report writers' tests.</summary>
internal static class SampleReports
{
    public const string Target = "http://127.0.0.1:8001";

    public static MachineDescription Machine { get; } =
        new("bench-1", "Debian GNU/Linux 13", "AMD EPYC 7B13", 2, 8L << 30, ".NET 10.0.0", 0.42);

    public static RunResult Run(string scenario = "saturation-grpc-64", bool passed = true) => new()
    {
        Scenario = scenario,
        Transport = "grpc",
        Target = Target,
        Model = "fashion-mlp",
        LoadModel = "closed, 64 users",
        Users = 64,
        StartedAt = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero),
        DurationSeconds = 3,
        Requests = 123_456,
        Errors = 12,
        ErrorsByStatus = new Dictionary<string, long> { ["UNAVAILABLE"] = 12 },
        Throughput = 41_133.4,
        Latency = new LatencySummary(1.2, 1.05, 2.4, 7.31, 12.5, 48.7, 0.21),
        Distribution =
        [
            new(0, 0.21), new(50, 1.05), new(90, 2.4), new(99, 7.31), new(99.9, 12.5), new(100, 48.7),
        ],
        Series =
        [
            new(0, 41_000, 4, 1.0, 7.0, 30.2),
            new(1, 0, 0, 0, 0, 0),
            new(2, 41_300, 8, 1.1, 7.5, 48.7),
        ],
        Events = [new ScenarioEvent("rollout v2", 0.5, 2.25, 0, "deployment \"v2\" rolled out")],
        Thresholds =
        [
            new("p99 < 10 ms", "7.31 ms", true),
            new("error_rate == 0", "0.0097%", passed),
        ],
    };

    public static LoadReport Report(params RunResult[] runs) => new()
    {
        Title = "Standard scenarios: fashion-mlp",
        Machine = Machine,
        Commit = "2984d39",
        CreatedAt = new DateTimeOffset(2025, 6, 1, 12, 5, 0, TimeSpan.FromHours(2)),
        Runs = runs.Length == 0 ? [Run()] : runs,
        Notes = [new ReportNote("saturation (grpc)", "41,133 req/s at 64 users")],
    };

    /// <summary>A run that recorded nothing over time and no distribution (a run that failed to start, say).</summary>
    public static RunResult EmptyRun(string scenario = "empty") => Run(scenario) with
    {
        Requests = 0,
        Errors = 0,
        ErrorsByStatus = new Dictionary<string, long>(),
        Throughput = 0,
        Latency = LatencySummary.Empty,
        Distribution = [],
        Series = [],
        Events = [],
        Thresholds = [],
    };
}
