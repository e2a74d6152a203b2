using System.Globalization;
using System.Text;

namespace MlOps.ServiceDefaults.Metrics;

/// <summary>The metric types of the text format's <c># TYPE</c> line.</summary>
public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: per family one <c># HELP</c> and one <c># TYPE</c>
/// line, then its samples <c>name{label="value",...} value</c>, every line ending in <c>\n</c>. Label values escape
/// backslash, double quote and newline; help text escapes backslash and newline. Callers write each family once,
/// with all its series, because a scraper rejects a family that appears twice. By convention a counter's name ends
/// in <c>_total</c> and a unit is spelled out in the name (<c>_seconds</c>, <c>_bytes</c>); the writer does not
/// enforce it, because the serving host keeps Triton's counter names (<c>nv_inference_count</c>).
/// </summary>
public sealed class PrometheusTextWriter(StringBuilder output)
{
    /// <summary>The content type of the format; Prometheus picks its parser by it.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid metric name.</exception>
    public void Family(string name, MetricType type, string help)
    {
        RequireName(name, allowColon: true);
        AppendEscaped(output.Append("# HELP ").Append(name).Append(' '), help, escapeQuote: false);
        output.Append("\n# TYPE ").Append(name).Append(' ').Append(type switch
        {
            MetricType.Counter => "counter",
            MetricType.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');
    }

    /// <summary>One sample; <paramref name="labels"/> comes from <see cref="Labels"/> (empty for none).</summary>
    public void Sample(string name, string labels, long value)
    {
        AppendSeries(name, labels);
        output.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <inheritdoc cref="Sample(string, string, long)"/>
    public void Sample(string name, string labels, double value)
    {
        AppendSeries(name, labels);
        output.Append(Format(value)).Append('\n');
    }

    /// <summary>
    /// The <c>_bucket</c> series (cumulative, one per bound and <c>le="+Inf"</c>), <c>_sum</c> and <c>_count</c> of
    /// one histogram. Bounds and sum are multiplied by <paramref name="scale"/> (1e-9 turns nanoseconds into seconds).
    /// </summary>
    public void Histogram(string name, string labels, HistogramSnapshot histogram, double scale)
    {
        var bucket = name + "_bucket";
        var prefix = labels.Length == 0 ? string.Empty : labels + ",";
        for (var i = 0; i < histogram.UpperBounds.Count; i++)
        {
            Sample(bucket, prefix + Label("le", Format(histogram.UpperBounds[i] * scale)), histogram.CumulativeCounts[i]);
        }

        Sample(bucket, prefix + Label("le", "+Inf"), histogram.Count);
        Sample(name + "_sum", labels, histogram.Sum * scale);
        Sample(name + "_count", labels, histogram.Count);
    }

    /// <summary>A label set without the braces, <c>a="x",b="y"</c>, with the values escaped.</summary>
    /// <exception cref="ArgumentException">A label name is not valid.</exception>
    public static string Labels(params ReadOnlySpan<(string Name, string Value)> labels)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in labels)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(Label(name, value));
        }

        return text.ToString();
    }

    /// <summary>A sample value or <c>le</c> bound: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Label(string name, string value)
    {
        RequireName(name, allowColon: false);
        var text = new StringBuilder(name.Length + value.Length + 3).Append(name).Append("=\"");
        return AppendEscaped(text, value, escapeQuote: true).Append('"').ToString();
    }

    private void AppendSeries(string name, string labels)
    {
        output.Append(name);
        if (labels.Length > 0)
        {
            output.Append('{').Append(labels).Append('}');
        }

        output.Append(' ');
    }

    private static StringBuilder AppendEscaped(StringBuilder text, string value, bool escapeQuote)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    text.Append("\\\"");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text;
    }

    /// <summary>Metric names match <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; label names the same without the colon.</summary>
    private static void RequireName(string name, bool allowColon)
    {
        var valid = name.Length > 0 && !char.IsAsciiDigit(name[0]);
        foreach (var c in name)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
        }

        if (!valid)
        {
            throw new ArgumentException($"'{name}' is not a valid Prometheus {(allowColon ? "metric" : "label")} name", nameof(name));
        }
    }
}
