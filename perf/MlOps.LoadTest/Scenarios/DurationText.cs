using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// Durations as written in scenario files and on the command line: a number (decimals allowed) and a unit,
/// <c>ms</c>, <c>s</c> or <c>m</c> — <c>250ms</c>, <c>1.5s</c>, <c>2m</c>. A bare number is refused rather than
/// given a default unit, because <c>timeout: 30</c> reads as seconds to one person and milliseconds to another.
/// </summary>
public static class DurationText
{
    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and what would do.</summary>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = "is empty; write a duration such as 10s, 250ms or 1.5m";
            return false;
        }

        var end = 0;
        if (trimmed[0] is '+' or '-')
        {
            end++;
        }

        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == '.'))
        {
            end++;
        }

        var number = trimmed[..end];
        var unit = trimmed[end..].TrimStart();
        if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            error = $"'{trimmed}' is not a duration; write a number and a unit, e.g. 10s, 250ms or 1.5m";
            return false;
        }

        if (unit.Length == 0)
        {
            error = $"'{trimmed}' has no unit; add one: {number}ms, {number}s or {number}m";
            return false;
        }

        decimal ticksPerUnit = unit switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            _ => 0,
        };
        if (ticksPerUnit == 0)
        {
            error = $"'{trimmed}' has an unknown unit '{unit}'; use ms, s or m";
            return false;
        }

        // Compare before multiplying: the product of a long digit string and a unit can overflow decimal itself.
        if (Math.Abs(amount) > TimeSpan.MaxValue.Ticks / ticksPerUnit)
        {
            error = $"'{trimmed}' is too long a duration";
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(amount * ticksPerUnit, MidpointRounding.AwayFromZero));
        error = null;
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> saying why not.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException($"duration {error}");
}
