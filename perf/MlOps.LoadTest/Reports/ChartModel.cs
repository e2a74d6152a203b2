namespace MlOps.LoadTest.Reports;

/// <summary>How a series is drawn.</summary>
internal enum SeriesStyle
{
    /// <summary>A polyline through the points; a non-finite y breaks the line (a second with no requests).</summary>
    Line,

    /// <summary>A bar from the axis to each point, <see cref="ChartSpec.BarWidth"/> x units wide.</summary>
    Bars,
}

/// <summary>One point of a series, in data units.</summary>
internal readonly record struct ChartPoint(double X, double Y);

/// <summary>A named, coloured series; later series are drawn over earlier ones.</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<ChartPoint> Points, SeriesStyle Style = SeriesStyle.Line);

/// <summary>A labelled span of the x axis (an action during the run); a point in time when it has no end.</summary>
internal sealed record ChartMarker(string Label, double Start, double? End, string? Detail = null);

/// <summary>An axis: its title and its ticks, whose first and last values are the axis bounds.</summary>
internal sealed record ChartAxis(string Title, IReadOnlyList<AxisTick> Ticks)
{
    public double Min => Ticks[0].Value;

    public double Max => Ticks[^1].Value;
}

/// <summary>Everything <see cref="SvgChart"/> needs to draw one chart; no drawing decisions are made here.</summary>
internal sealed record ChartSpec(string Title, ChartAxis X, ChartAxis Y, IReadOnlyList<ChartSeries> Series)
{
    public IReadOnlyList<ChartMarker> Markers { get; init; } = [];

    /// <summary>Height of the plot area in pixels, without title, axis labels and legend.</summary>
    public int PlotHeight { get; init; } = 220;

    /// <summary>Width of a bar in x units, for <see cref="SeriesStyle.Bars"/>.</summary>
    public double BarWidth { get; init; } = 0.8;
}
