namespace MlOps.LoadTest.Results;

/// <summary>Every run of one harness invocation, with where and when it ran.</summary>
public sealed record LoadReport
{
    /// <summary>A heading for the report, e.g. <c>Standard scenarios: fashion-mlp</c>.</summary>
    public required string Title { get; init; }

    public required MachineDescription Machine { get; init; }

    /// <summary>The source commit the harness was built from, when known.</summary>
    public string? Commit { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<RunResult> Runs { get; init; } = [];

    /// <summary>Figures that belong to the whole report (saturation throughput, in-process limit, wrk's figure).</summary>
    public IReadOnlyList<ReportNote> Notes { get; init; } = [];

    /// <summary>True when every run passed its thresholds and no target note was missed.</summary>
    public bool Passed => Runs.All(r => r.Passed) && Notes.All(n => n.Met != false);
}

/// <summary>One named figure of a report, e.g. <c>saturation (grpc)</c> = <c>41,133 req/s at 64 users</c>.</summary>
/// <param name="Name">What the figure is.</param>
/// <param name="Value">The figure in words.</param>
/// <param name="Met">For a target: whether it was met (a missed one fails the report); null for a plain figure.</param>
public sealed record ReportNote(string Name, string Value, bool? Met = null);
