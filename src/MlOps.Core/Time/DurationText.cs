using System.Globalization;
using System.Text;

namespace MlOps.Core.Time;

/// <summary>Durations as people write them, shared by the CLI's output and the coordinator's messages.</summary>
public static class DurationText
{
    /// <summary>The shortest exact form: <c>1h30m</c>, <c>10m</c>, <c>2d</c>, <c>1.5s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder(value < TimeSpan.Zero ? "-" : "");
        var rest = value.Duration();
        Append(text, rest.Days, "d");
        Append(text, rest.Hours, "h");
        Append(text, rest.Minutes, "m");
        var seconds = rest.Seconds + (rest.Ticks % TimeSpan.TicksPerSecond) / (decimal)TimeSpan.TicksPerSecond;
        if (seconds > 0)
        {
            text.Append(rest < TimeSpan.FromSeconds(1)
                ? (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture) + "ms"
                : seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s");
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, int amount, string unit)
    {
        if (amount > 0)
        {
            text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
