using System.Globalization;

namespace MlOps.Testing.Fuzzing;

/// <summary>
/// How long and how hard <see cref="FuzzRun"/> tries one target. A test passes its bounded defaults; the environment
/// turns the same test into a long campaign without a code change:
/// <list type="bullet">
/// <item><c>MLOPS_FUZZ_ITERATIONS</c>: inputs to try (replaces <see cref="Iterations"/>).</item>
/// <item><c>MLOPS_FUZZ_SECONDS</c>: time budget per target (replaces <see cref="Duration"/>); with it alone the run is
/// bounded by time only.</item>
/// <item><c>MLOPS_FUZZ_SEED</c>: replay a run (a failure message prints its seed).</item>
/// <item><c>MLOPS_FUZZ_REPORT</c>: a file each run appends one Markdown table row to (target, inputs, time, result).</item>
/// </list>
/// </summary>
public sealed record FuzzOptions
{
    /// <summary>Inputs to try (seeds included). Default 10,000.</summary>
    public long Iterations { get; init; } = 10_000;

    /// <summary>Stop after this long even when <see cref="Iterations"/> is not reached. Default 8 s, so a bounded test
    /// stays under ~10 s on a slow 2-core machine.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Seed of the mutator's random numbers. Default: a new one per run (printed in the report).</summary>
    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>One input taking longer than this is a hang. Default 2 s.</summary>
    public TimeSpan PerInputTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>One input allocating more than this (on the target's thread) is unbounded allocation: a parser must
    /// refuse a huge declared size before it allocates. Default 256 MiB.</summary>
    public long MaxAllocatedBytesPerInput { get; init; } = 256L * 1024 * 1024;

    /// <summary>Mutated inputs are cut to this length. Default 64 KiB.</summary>
    public int MaxInputBytes { get; init; } = 64 * 1024;

    /// <summary>Tokens the mutator inserts or substitutes (keys, keywords, delimiters of the format).</summary>
    public IReadOnlyList<string> Dictionary { get; init; } = [];

    /// <summary>Exceptions the target documents for bad input (its validation exception, <see cref="FormatException"/>,
    /// ...). Anything else is a crash. Default: none (every exception is a crash).</summary>
    public Func<Exception, bool> IsExpected { get; init; } = _ => false;

    /// <summary>Where to append the report row; default <c>MLOPS_FUZZ_REPORT</c>.</summary>
    public string? ReportFile { get; init; } = Environment.GetEnvironmentVariable("MLOPS_FUZZ_REPORT");

    /// <summary>These options with <c>MLOPS_FUZZ_ITERATIONS</c>, <c>MLOPS_FUZZ_SECONDS</c> and <c>MLOPS_FUZZ_SEED</c>
    /// applied when set. With only seconds set the run is bounded by time.</summary>
    public FuzzOptions WithEnvironment()
    {
        var options = this;
        var iterations = Number("MLOPS_FUZZ_ITERATIONS");
        var seconds = Number("MLOPS_FUZZ_SECONDS");
        if (iterations is { } i)
        {
            options = options with { Iterations = i, Duration = seconds is null ? TimeSpan.FromDays(1) : options.Duration };
        }

        if (seconds is { } s)
        {
            options = options with { Duration = TimeSpan.FromSeconds(s), Iterations = iterations ?? long.MaxValue };
        }

        if (Number("MLOPS_FUZZ_SEED") is { } seed)
        {
            options = options with { Seed = unchecked((int)seed) };
        }

        return options;
    }

    /// <summary>True when the environment asks for a long campaign (the bounded test's minimums do not apply then).</summary>
    public static bool IsCampaign =>
        Number("MLOPS_FUZZ_ITERATIONS") is not null || Number("MLOPS_FUZZ_SECONDS") is not null;

    private static long? Number(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
