using System.Globalization;
using System.Net;
using System.Text;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Draws a <see cref="ChartSpec"/> as inline SVG: gridlines at the ticks, the series, the markers and a legend.
/// The SVG carries its own font and colours as attributes, so it reads the same inside or outside the report's CSS,
/// and it has no namespace URL: inline SVG in HTML does not need one, and the report then refers to nothing outside.
/// </summary>
internal static class SvgChart
{
    public const int Width = 760;
    private const int PlotLeft = 72;
    // Room on the right for the last x label (99.9999%) centred on the axis end.
    private const int PlotRight = Width - 36;
    private const int PlotTop = 32;
    private const int LegendRowHeight = 18;
    private const string GridColor = "#e3e3e3";
    private const string AxisColor = "#888";
    private const string MarkerColor = "#e76f51";

    public static string Render(ChartSpec spec)
    {
        var plotBottom = PlotTop + spec.PlotHeight;
        var legend = LayoutLegend(spec.Series);
        var height = plotBottom + 44 + (legend.Count == 0 ? 0 : legend[^1].Row + 1) * LegendRowHeight;
        var x = new Mapping(spec.X.Min, spec.X.Max, PlotLeft, PlotRight);
        var y = new Mapping(spec.Y.Min, spec.Y.Max, plotBottom, PlotTop);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" ")
            .Append(CultureInfo.InvariantCulture,
                $"aria-label=\"{Escape(spec.Title)}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">\n")
            .Append(CultureInfo.InvariantCulture,
                $"<text x=\"{PlotLeft}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{Escape(spec.Title)}</text>\n");

        foreach (var tick in spec.Y.Ticks)
        {
            var py = F(y.Map(tick.Value));
            svg.Append(CultureInfo.InvariantCulture,
                    $"<line x1=\"{PlotLeft}\" x2=\"{PlotRight}\" y1=\"{py}\" y2=\"{py}\" stroke=\"{GridColor}\"/>")
                .Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{PlotLeft - 6}\" y=\"{py}\" dy=\"0.32em\" text-anchor=\"end\">{Escape(tick.Label)}</text>\n");
        }

        foreach (var tick in spec.X.Ticks)
        {
            var px = F(x.Map(tick.Value));
            svg.Append(CultureInfo.InvariantCulture,
                    $"<line x1=\"{px}\" x2=\"{px}\" y1=\"{plotBottom}\" y2=\"{plotBottom + 4}\" stroke=\"{AxisColor}\"/>")
                .Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{px}\" y=\"{plotBottom + 16}\" text-anchor=\"middle\">{Escape(tick.Label)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture,
                $"<path d=\"M{PlotLeft},{PlotTop}V{plotBottom}H{PlotRight}\" fill=\"none\" stroke=\"{AxisColor}\"/>\n")
            .Append(CultureInfo.InvariantCulture,
                $"<text x=\"{(PlotLeft + PlotRight) / 2}\" y=\"{plotBottom + 34}\" text-anchor=\"middle\">{Escape(spec.X.Title)}</text>\n")
            .Append(CultureInfo.InvariantCulture,
                $"<text transform=\"translate(13 {(PlotTop + plotBottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(spec.Y.Title)}</text>\n");

        AppendMarkers(svg, spec.Markers, x, plotBottom);
        foreach (var series in spec.Series)
        {
            AppendSeries(svg, series, spec.BarWidth, x, y);
        }

        foreach (var (series, row, offset) in legend)
        {
            var ly = plotBottom + 44 + (row * LegendRowHeight) + 4;
            var lx = PlotLeft + offset;
            svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"14\" height=\"10\" fill=\"{series.Color}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 19}\" y=\"{ly}\">{Escape(series.Name)}</text>\n");
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static void AppendMarkers(StringBuilder svg, IReadOnlyList<ChartMarker> markers, Mapping x, int plotBottom)
    {
        for (var i = 0; i < markers.Count; i++)
        {
            var marker = markers[i];
            var start = x.Map(marker.Start);
            var end = x.Map(marker.End ?? marker.Start);
            var tooltip = Escape(marker.Detail ?? marker.Label);
            svg.Append(CultureInfo.InvariantCulture, $"<g><title>{tooltip}</title>")
                .Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{F(start)}\" y=\"{PlotTop}\" width=\"{F(Math.Max(end - start, 1.5))}\" height=\"{plotBottom - PlotTop}\" ")
                .Append(CultureInfo.InvariantCulture, $"fill=\"{MarkerColor}\" fill-opacity=\"0.15\" stroke=\"{MarkerColor}\" stroke-width=\"0.8\"/>")
                // Staggered so that actions close together do not print their labels over each other.
                .Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{F(start + 3)}\" y=\"{PlotTop + 11 + (i % 3 * 12)}\" fill=\"{MarkerColor}\" font-size=\"10\">{Escape(marker.Label)}</text></g>\n");
        }
    }

    private static void AppendSeries(StringBuilder svg, ChartSeries series, double barWidth, Mapping x, Mapping y)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<g><title>{Escape(series.Name)}</title>");
        if (series.Style == SeriesStyle.Bars)
        {
            var baseline = y.Map(Math.Max(y.Min, 0));
            foreach (var p in series.Points.Where(p => double.IsFinite(p.Y) && p.Y > 0))
            {
                var left = x.Map(p.X - (barWidth / 2));
                // At least two pixels, so that a few errors among thousands of requests still show.
                var top = Math.Min(y.Map(p.Y), baseline - 2);
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(Math.Max(x.Map(p.X + (barWidth / 2)) - left, 0.5))}\" height=\"{F(baseline - top)}\" fill=\"{series.Color}\"/>");
            }
        }
        else
        {
            foreach (var segment in Segments(series.Points))
            {
                if (segment.Count == 1)
                {
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<circle cx=\"{F(x.Map(segment[0].X))}\" cy=\"{F(y.Map(segment[0].Y))}\" r=\"2.5\" fill=\"{series.Color}\"/>");
                    continue;
                }

                svg.Append("<polyline points=\"")
                    .AppendJoin(' ', segment.Select(p => F(x.Map(p.X)) + "," + F(y.Map(p.Y))))
                    .Append(CultureInfo.InvariantCulture,
                        $"\" fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>");
            }
        }

        svg.Append("</g>\n");
    }

    /// <summary>Runs of consecutive finite points; a gap in the data is a gap in the line, not a dive to zero.</summary>
    private static IEnumerable<List<ChartPoint>> Segments(IReadOnlyList<ChartPoint> points)
    {
        var current = new List<ChartPoint>();
        foreach (var p in points)
        {
            if (double.IsFinite(p.X) && double.IsFinite(p.Y))
            {
                current.Add(p);
            }
            else if (current.Count > 0)
            {
                yield return current;
                current = [];
            }
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>Places the legend's entries left to right, wrapping to a new row at the plot's width.</summary>
    private static List<(ChartSeries Series, int Row, int Offset)> LayoutLegend(IReadOnlyList<ChartSeries> series)
    {
        var entries = new List<(ChartSeries, int, int)>();
        int row = 0, offset = 0;
        foreach (var s in series.Where(s => s.Name.Length > 0))
        {
            // Sans-serif at 11px averages under 7px a character; a rough width is enough to keep entries apart.
            var width = 19 + (int)Math.Ceiling(s.Name.Length * 6.5) + 16;
            if (offset > 0 && offset + width > PlotRight - PlotLeft)
            {
                row++;
                offset = 0;
            }

            entries.Add((s, row, offset));
            offset += width;
        }

        return entries;
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A linear map from a data range to a pixel range, clamped so stray values stay inside the plot.</summary>
    private readonly record struct Mapping(double Min, double Max, double From, double To)
    {
        public double Map(double value)
        {
            var span = Max - Min;
            var t = span > 0 ? (value - Min) / span : 0;
            return From + (Math.Clamp(double.IsFinite(t) ? t : 0, 0, 1) * (To - From));
        }
    }
}
