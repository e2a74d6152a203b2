using System.Globalization;

namespace MlOps.Discovery.Http;

/// <summary>
/// Go's duration strings (<c>"15s"</c>, <c>"1m30s"</c>, <c>"250ms"</c>), which Consul uses for TTLs, intervals,
/// waits and lock delays in requests and for session TTLs in answers.
/// </summary>
internal static class GoDuration
{
    private const decimal NanosecondsPerTick = 100m;

    private static readonly (string Unit, decimal Nanoseconds)[] Units =
    [
        ("ns", 1m), ("us", 1_000m), ("\u00b5s", 1_000m), ("\u03bcs", 1_000m), ("ms", 1_000_000m),
        ("s", 1_000_000_000m), ("m", 60_000_000_000m), ("h", 3_600_000_000_000m),
    ];

    /// <summary>The shortest exact form in one unit: whole seconds as <c>"90s"</c>, else ms, us or ns.</summary>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        var ticks = value.Ticks;
        return ticks switch
        {
            0 => "0s",
            _ when ticks % TimeSpan.TicksPerSecond == 0 => Invariant(ticks / TimeSpan.TicksPerSecond, "s"),
            _ when ticks % TimeSpan.TicksPerMillisecond == 0 => Invariant(ticks / TimeSpan.TicksPerMillisecond, "ms"),
            _ when ticks % TimeSpan.TicksPerMicrosecond == 0 => Invariant(ticks / TimeSpan.TicksPerMicrosecond, "us"),
            _ => Invariant(ticks * 100, "ns"),
        };
    }

    /// <summary>Parses what Go's <c>time.ParseDuration</c> accepts (sign, decimals, several units; bare "0").</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var span = text.AsSpan();
        var negative = false;
        if (span[0] is '+' or '-')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span is "0")
        {
            return true;
        }

        if (span.IsEmpty)
        {
            return false;
        }

        var total = 0m;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !decimal.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var unit = MatchUnit(span);
            if (unit.Unit is null)
            {
                return false;
            }

            total += number * unit.Nanoseconds;
            span = span[unit.Unit.Length..];
        }

        var ticks = decimal.Round(total / NanosecondsPerTick);
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks(negative ? -(long)ticks : (long)ticks);
        return true;
    }

    private static (string? Unit, decimal Nanoseconds) MatchUnit(ReadOnlySpan<char> span)
    {
        // Longest first, so "ms" is not read as "m" followed by garbage.
        (string? Unit, decimal Nanoseconds) best = (null, 0m);
        foreach (var candidate in Units)
        {
            if (span.StartsWith(candidate.Unit, StringComparison.Ordinal) && candidate.Unit.Length > (best.Unit?.Length ?? 0))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static string Invariant(long number, string unit) => number.ToString(CultureInfo.InvariantCulture) + unit;
}
