using System.CommandLine.Parsing;
using System.Globalization;

namespace MlOps.Cli.Retraining;

/// <summary>
/// Durations as people type them: <c>30s</c>, <c>10m</c>, <c>1h30m</c>, <c>7d</c> (each part a number, decimals
/// allowed, and one of d, h, m, s, ms; units in any order, each at most once), or a bare <c>0</c>. A leading
/// <c>-</c> parses, so the option can say that it must not be negative instead of that it is unreadable.
/// </summary>
internal static class DurationText
{
    public const string Expected = "a duration like 30s, 10m, 1h or 1h30m (units d, h, m, s, ms)";

    private static readonly (string Unit, TimeSpan Length)[] Units =
    [
        ("ms", TimeSpan.FromMilliseconds(1)), ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var span = (text ?? "").Trim().AsSpan();
        var negative = span.StartsWith("-");
        if (negative || span.StartsWith("+"))
        {
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

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var total = 0m;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            // Far beyond TimeSpan's range either way; the bound keeps the sum below from overflowing decimal.
            if (digits == 0 || !decimal.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) ||
                number > 1e15m)
            {
                return false;
            }

            span = span[digits..];
            var unit = MatchUnit(span);
            if (unit < 0 || !seen.Add(Units[unit].Unit))
            {
                return false;
            }

            total += number * Units[unit].Length.Ticks;
            span = span[Units[unit].Unit.Length..];
        }

        if (total > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        var ticks = (long)decimal.Round(total);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>
    /// A System.CommandLine parser for an optional duration option; the error names the option and the value, and a
    /// negative duration or one shorter than <paramref name="minimum"/> is refused.
    /// </summary>
    public static Func<ArgumentResult, TimeSpan?> Parser(TimeSpan minimum) => result =>
    {
        var option = (result.Parent as OptionResult)?.Option.Name ?? result.Argument.Name;
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (!TryParse(token, out var value))
        {
            result.AddError($"invalid {option} '{token}': expected {Expected}");
            return null;
        }

        if (value < TimeSpan.Zero)
        {
            result.AddError($"invalid {option} '{token}': must not be negative");
            return null;
        }

        if (value < minimum)
        {
            result.AddError($"invalid {option} '{token}': must be at least {Format(minimum)}");
            return null;
        }

        return value;
    };

    /// <summary>The shortest exact form: <c>1h30m</c>, <c>10m</c>, <c>2d</c>, <c>1.5s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value) => MlOps.Core.Time.DurationText.Format(value);

    public static string Format(Google.Protobuf.WellKnownTypes.Duration duration) => Format(duration.ToTimeSpan());

    /// <summary>The index of the unit <paramref name="span"/> starts with; "ms" is listed before "m", so it wins.</summary>
    private static int MatchUnit(ReadOnlySpan<char> span)
    {
        for (var i = 0; i < Units.Length; i++)
        {
            if (span.StartsWith(Units[i].Unit, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
