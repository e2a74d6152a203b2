using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using Spectre.Console;

namespace MlOps.Cli.Output;

/// <summary>How values read in tables, details and watch lines: one place, so every command agrees.</summary>
internal static class Display
{
    public const string None = "-";

    private static readonly IReadOnlyDictionary<string, Style> StateStyles = new Dictionary<string, Style>(StringComparer.Ordinal)
    {
        ["SUCCEEDED"] = new(Color.Green),
        ["CONNECTED"] = new(Color.Green),
        ["RUNNING"] = new(Color.Blue),
        ["ASSIGNED"] = new(Color.Blue),
        ["QUEUED"] = new(Color.Grey),
        ["CANCELLING"] = new(Color.Yellow),
        ["CANCELLED"] = new(Color.Yellow),
        ["DISCONNECTED"] = new(Color.Yellow),
        ["FAILED"] = new(Color.Red),
        ["LOST"] = new(Color.Red),
    };

    public static string State(JobState state) => state.ToString().ToUpperInvariant();

    public static string Status(AgentStatus status) => status.ToString().ToUpperInvariant();

    public static bool IsFinished(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public static Style StyleOf(string cell) => StateStyles.TryGetValue(cell, out var style) ? style : Style.Plain;

    /// <summary>A metric or loss: four decimals, invariant culture.</summary>
    public static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>
    /// A named metric: whole numbers (epochs, counts) without decimals, everything else with four; the
    /// accuracies always with four, so <c>test_accuracy: 1.0000</c> reads like every other run.
    /// </summary>
    public static string Metric(string name, double value) =>
        !name.Contains("accuracy", StringComparison.Ordinal) && double.IsInteger(value) && Math.Abs(value) < 1e15
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : Number(value);

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Memory(long megabytes) => megabytes >= 10 * 1024
        ? (megabytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " GB"
        : Integer(megabytes) + " MB";

    /// <summary><c>sha256:</c> and the first 12 hex digits: enough to tell versions apart in a table.</summary>
    public static string ShortDigest(string? digest)
    {
        if (string.IsNullOrEmpty(digest))
        {
            return None;
        }

        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    /// <summary>A size in decimal units (<c>26.4 MB</c>), like the transfer rates.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1000 => Integer(bytes) + " B",
        < 1_000_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        < 1_000_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };

    /// <summary>Megabytes (10^6) per second, one decimal.</summary>
    public static string Rate(long bytes, TimeSpan elapsed) =>
        (elapsed.TotalSeconds <= 0 ? 0 : bytes / 1e6 / elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";

    /// <summary>Local date and time, to the second; <c>-</c> when unset.</summary>
    public static string Time(Timestamp? timestamp) => timestamp is null
        ? None
        : timestamp.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Local time of day, for watch lines.</summary>
    public static string Clock(Timestamp? timestamp) => timestamp is null
        ? "--:--:--"
        : timestamp.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Ago(Timestamp? timestamp, DateTimeOffset now)
    {
        if (timestamp is null)
        {
            return None;
        }

        var age = now - timestamp.ToDateTimeOffset();
        return age.TotalSeconds switch
        {
            < 1 => "just now",
            < 120 => Integer((long)age.TotalSeconds) + "s ago",
            < 7200 => Integer((long)age.TotalMinutes) + "m ago",
            < 172_800 => Integer((long)age.TotalHours) + "h ago",
            _ => Integer((long)age.TotalDays) + "d ago",
        };
    }

    /// <summary><c>epoch 3/10 step 120/469 loss 0.4123 accuracy 0.8512 1234 samples/s</c>, leaving out what is unknown.</summary>
    public static string Progress(TrainingProgress progress)
    {
        var parts = new List<string> { $"epoch {Integer(progress.Epoch)}/{Integer(progress.Epochs)}" };
        if (progress.StepsPerEpoch > 0)
        {
            parts.Add($"step {Integer(progress.Step)}/{Integer(progress.StepsPerEpoch)}");
        }

        parts.Add("loss " + Number(progress.Loss));
        parts.Add("accuracy " + Number(progress.Accuracy));
        if (progress.SamplesPerSecond > 0)
        {
            parts.Add(progress.SamplesPerSecond.ToString("0", CultureInfo.InvariantCulture) + " samples/s");
        }

        return string.Join(' ', parts);
    }

    /// <summary>Share of the whole run done, 0..1, from the epoch (1-based) and the step within it.</summary>
    public static double Fraction(TrainingProgress progress)
    {
        if (progress.Epochs <= 0)
        {
            return 0;
        }

        var withinEpoch = progress.StepsPerEpoch > 0 ? (double)progress.Step / progress.StepsPerEpoch : 1;
        var done = Math.Max(progress.Epoch - 1, 0) + Math.Clamp(withinEpoch, 0, 1);
        return Math.Clamp(done / progress.Epochs, 0, 1);
    }
}
