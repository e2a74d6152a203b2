namespace MlOps.LoadTest.Results;

/// <summary>What one scenario run measured, after its warm-up. Latencies are in milliseconds.</summary>
public sealed record RunResult
{
    /// <summary>The scenario's name (e.g. <c>saturation-grpc-64</c>).</summary>
    public required string Scenario { get; init; }

    /// <summary><c>grpc</c> or <c>rest</c>.</summary>
    public required string Transport { get; init; }

    /// <summary>The address the requests went to.</summary>
    public required string Target { get; init; }

    /// <summary>The model name (and <c>:version</c> when one was pinned).</summary>
    public required string Model { get; init; }

    /// <summary>Samples per request.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>The load model in words, e.g. <c>closed, 64 users</c> or <c>open, 1000 req/s</c>.</summary>
    public required string LoadModel { get; init; }

    /// <summary>Concurrent users of a closed model; null for open and ramp models.</summary>
    public int? Users { get; init; }

    /// <summary>The intended arrival rate of an open model (the mean over a ramp), requests/s; null for closed.</summary>
    public double? TargetRate { get; init; }

    /// <summary>Requests sent per second over the measured window (open models: how well the pacing held).</summary>
    public double? AchievedSendRate { get; init; }

    /// <summary>When the measured window began (after the warm-up).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Length of the measured window in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Requests completed in the measured window, successes and errors.</summary>
    public long Requests { get; init; }

    /// <summary>Requests that ended in an error.</summary>
    public long Errors { get; init; }

    /// <summary>Errors by status: <c>UNAVAILABLE</c>, <c>HTTP 503</c>, <c>timeout</c>, ...</summary>
    public IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; } = new Dictionary<string, long>();

    /// <summary>Completed requests per second over the measured window.</summary>
    public double Throughput { get; init; }

    /// <summary><see cref="Throughput"/> times the batch size.</summary>
    public double SamplesPerSecond => Throughput * BatchSize;

    /// <summary>Errors over requests (0 when nothing completed).</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>Latency of every completed request (successes and errors).</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>The latency distribution for plotting: value at each percentile, HdrHistogram's log-scale ticks.</summary>
    public IReadOnlyList<PercentilePoint> Distribution { get; init; } = [];

    /// <summary>One sample per second of the measured window, by completion time.</summary>
    public IReadOnlyList<SecondSample> Series { get; init; } = [];

    /// <summary>Actions run during the load (a rollout, for example), with when they started and ended.</summary>
    public IReadOnlyList<ScenarioEvent> Events { get; init; } = [];

    /// <summary>The scenario's thresholds and how they came out.</summary>
    public IReadOnlyList<ThresholdOutcome> Thresholds { get; init; } = [];

    /// <summary>True when every threshold passed (and there were none that failed).</summary>
    public bool Passed => Thresholds.All(t => t.Passed);
}

/// <summary>Latency statistics in milliseconds.</summary>
public sealed record LatencySummary(double Mean, double P50, double P90, double P99, double P999, double Max, double Min)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>The latency in milliseconds at or below which <see cref="Percentile"/> percent of requests completed.</summary>
public sealed record PercentilePoint(double Percentile, double Latency);

/// <summary>One second of the measured window: requests completed in it, and their latency.</summary>
public sealed record SecondSample(int Second, long Requests, long Errors, double P50, double P99, double Max);

/// <summary>An action run during the load, in seconds from the start of the measured window.</summary>
public sealed record ScenarioEvent(string Label, double StartSeconds, double? EndSeconds, int? ExitCode, string? Output = null);

/// <summary>A threshold such as <c>p99 &lt; 10 ms</c>, the value measured, and whether it held.</summary>
public sealed record ThresholdOutcome(string Threshold, string Actual, bool Passed);
