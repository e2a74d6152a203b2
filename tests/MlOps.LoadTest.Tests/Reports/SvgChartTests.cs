using System.Text.RegularExpressions;
using MlOps.LoadTest.Reports;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class SvgChartTests
{
    private static ChartSpec Chart(params ChartSeries[] series) => new(
        "t",
        new ChartAxis("seconds", NiceScale.Ticks(0, 10)),
        new ChartAxis("ms", NiceScale.Ticks(0, 5)),
        series);

    [Fact]
    public void Render_GapInLine_DrawsTwoSegments()
    {
        var svg = SvgChart.Render(Chart(new ChartSeries("p50", "#000", [new(0, 1), new(1, 2), new(2, double.NaN), new(3, 1), new(4, 1)])));

        Assert.Equal(2, Regex.Count(svg, "<polyline"));
        Assert.DoesNotContain("NaN", svg);
    }

    [Fact]
    public void Render_SinglePoint_DrawsACircle()
    {
        var svg = SvgChart.Render(Chart(new ChartSeries("p50", "#000", [new(3, 2)])));

        Assert.Contains("<circle", svg);
        Assert.DoesNotContain("<polyline", svg);
    }

    [Fact]
    public void Render_Point_MapsIntoThePlotArea()
    {
        // x 0..10 over 72..724 px, y 0..5 over 252..32 px (plot height 220).
        var svg = SvgChart.Render(Chart(new ChartSeries("p50", "#000", [new(0, 0), new(10, 5)])));

        Assert.Contains("points=\"72,252 724,32\"", svg);
    }

    [Fact]
    public void Render_Markers_AreBandsWithEscapedLabels()
    {
        var spec = Chart(new ChartSeries("p50", "#000", [new(0, 1), new(10, 1)])) with
        {
            Markers = [new ChartMarker("a<b", 2, 4), new ChartMarker("point", 5, null)],
        };

        var svg = SvgChart.Render(spec);

        Assert.Contains("a&lt;b", svg);
        Assert.Contains("<rect x=\"202.4\" y=\"32\" width=\"130.4\"", svg);
        Assert.Contains("width=\"1.5\"", svg);
    }

    [Fact]
    public void Render_ManySeries_WrapsLegendAndGrowsTall()
    {
        var one = SvgChart.Render(Chart(new ChartSeries("x", "#000", [new(0, 1)])));
        var many = SvgChart.Render(Chart([.. Enumerable.Range(0, 12).Select(i => new ChartSeries($"scenario-number-{i}", "#000", [new(0, 1)]))]));

        Assert.True(Height(many) > Height(one));
    }

    private static int Height(string svg) => int.Parse(Regex.Match(svg, "height=\"(\\d+)\"").Groups[1].Value);
}
