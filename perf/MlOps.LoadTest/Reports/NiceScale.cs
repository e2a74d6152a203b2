using System.Globalization;

namespace MlOps.LoadTest.Reports;

/// <summary>A tick on a chart axis: where it is, in data units, and what it says.</summary>
internal sealed record AxisTick(double Value, string Label);

/// <summary>
/// Picks axis bounds and ticks at round values (1, 2 or 5 times a power of ten) that cover a data range, so a
/// reader can interpolate between gridlines; Heckbert's "nice numbers" from Graphics Gems (1990).
/// </summary>
internal static class NiceScale
{
    /// <summary>
    /// Ticks covering <paramref name="min"/>..<paramref name="max"/> with about <paramref name="targetTicks"/>
    /// of them. The first tick is at or below <paramref name="min"/> and the last at or above <paramref name="max"/>,
    /// so the ticks' ends are the axis bounds. An empty or non-finite range widens to one unit.
    /// </summary>
    public static IReadOnlyList<AxisTick> Ticks(double min, double max, int targetTicks = 5, string unit = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetTicks, 2);
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            (min, max) = (0, 1);
        }

        if (min > max)
        {
            (min, max) = (max, min);
        }

        if (max - min < Math.Max(Math.Abs(max), 1) * 1e-12)
        {
            // One point, or all values equal: stretch the axis to zero, or to one unit when the value is zero.
            (min, max) = max > 0 ? (0d, max) : max < 0 ? (min, 0d) : (0d, 1d);
        }

        var step = Nice((max - min) / (targetTicks - 1), round: true);
        var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        var first = (long)Math.Floor(min / step + 1e-9);
        var last = (long)Math.Ceiling(max / step - 1e-9);

        var ticks = new List<AxisTick>((int)(last - first + 1));
        for (var i = first; i <= last; i++)
        {
            // Rounding to the step's decimals removes the float residue of i * step (0.30000000000000004).
            var value = Math.Round(i * step, Math.Min(decimals, 15));
            ticks.Add(new AxisTick(value, value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + unit));
        }

        return ticks;
    }

    /// <summary>The nice number (1, 2, 5 or 10 times a power of ten) nearest <paramref name="x"/>, or at least it.</summary>
    internal static double Nice(double x, bool round)
    {
        var exponent = Math.Floor(Math.Log10(x));
        var power = Math.Pow(10, exponent);
        var fraction = x / power;
        double nice = round
            ? fraction switch { < 1.5 => 1, < 3 => 2, < 7 => 5, _ => 10 }
            : fraction switch { <= 1 => 1, <= 2 => 2, <= 5 => 5, _ => 10 };
        return nice * power;
    }
}
