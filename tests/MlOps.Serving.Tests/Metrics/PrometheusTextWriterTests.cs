using System.Text;
using MlOps.ServiceDefaults.Metrics;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Metrics;

public sealed class PrometheusTextWriterTests
{
    [Theory]
    [InlineData("plain", "model=\"plain\"")]
    [InlineData(@"back\slash", @"model=""back\\slash""")]
    [InlineData("a\"quote", "model=\"a\\\"quote\"")]
    [InlineData("new\nline", @"model=""new\nline""")]
    [InlineData("all\\\"\n", @"model=""all\\\""\n""")]
    public void Labels_SpecialCharacters_Escaped(string value, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.Labels(("model", value)));
    }

    [Theory]
    [InlineData(@"back\slash")]
    [InlineData("a\"quote")]
    [InlineData("new\nline")]
    [InlineData("{}, =\"\\n")]
    public void Sample_EscapedLabelValue_ParsesBackToTheOriginal(string value)
    {
        var text = new StringBuilder();
        var writer = new PrometheusTextWriter(text);
        writer.Family("m_total", MetricType.Counter, "help");
        writer.Sample("m_total", PrometheusTextWriter.Labels(("model", value), ("version", "1")), 7);

        var sample = Assert.Single(PrometheusText.Parse(text.ToString())["m_total"].Samples);

        Assert.Equal((value, "1", 7.0), (sample.Label("model"), sample.Label("version"), sample.Value));
    }

    [Fact]
    public void Family_HelpWithBackslashAndNewline_EscapedOnOneLine()
    {
        var text = new StringBuilder();

        new PrometheusTextWriter(text).Family("m", MetricType.Gauge, "first\nsecond \\ \"quoted\"");

        Assert.Equal("# HELP m first\\nsecond \\\\ \"quoted\"\n# TYPE m gauge\n", text.ToString());
        Assert.Equal("first\nsecond \\ \"quoted\"", PrometheusText.Parse(text.ToString())["m"].Help);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("has-dash")]
    [InlineData("has space")]
    public void Family_InvalidName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => new PrometheusTextWriter(new StringBuilder()).Family(name, MetricType.Counter, "h"));
    }

    [Fact]
    public void Labels_InvalidLabelName_Throws()
    {
        Assert.Throws<ArgumentException>(() => PrometheusTextWriter.Labels(("a:b", "x")));
    }

    [Fact]
    public void Histogram_Snapshot_CumulativeBucketsThenSumAndCountScaled()
    {
        var histogram = new HistogramSnapshot([1_000, 5_000], [2, 3], 4, 12_000);
        var text = new StringBuilder();
        var writer = new PrometheusTextWriter(text);
        writer.Family("d_seconds", MetricType.Histogram, "h");

        writer.Histogram("d_seconds", PrometheusTextWriter.Labels(("model", "m")), histogram, 1e-6);

        Assert.Equal(
            """
            # HELP d_seconds h
            # TYPE d_seconds histogram
            d_seconds_bucket{model="m",le="0.001"} 2
            d_seconds_bucket{model="m",le="0.005"} 3
            d_seconds_bucket{model="m",le="+Inf"} 4
            d_seconds_sum{model="m"} 0.012
            d_seconds_count{model="m"} 4

            """.ReplaceLineEndings("\n"),
            text.ToString());
    }

    [Fact]
    public void Sample_NoLabels_NameSpaceValue()
    {
        var text = new StringBuilder();
        var writer = new PrometheusTextWriter(text);

        writer.Sample("up", string.Empty, 1.5);

        Assert.Equal("up 1.5\n", text.ToString());
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.25, "0.25")]
    [InlineData(5e-5, "5E-05")]
    [InlineData(1e6, "1000000")]
    public void Format_SpecialAndOrdinaryValues_PrometheusSpelling(double value, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.Format(value));
    }

    [Theory]
    [InlineData("m 1\n")] // no HELP/TYPE before the sample
    [InlineData("# HELP m h\n# TYPE m counter\nm{model=\"a\"} one\n")] // bad value
    [InlineData("# HELP m h\n# TYPE m counter\nm{model=\"a\\t\"} 1\n")] // unknown escape
    [InlineData("# HELP m h\n# TYPE m counter\nm{model=\"a} 1\n")] // unterminated value
    [InlineData("# HELP m h\n# TYPE m counter\nother 1\n")] // sample of another family
    [InlineData("# HELP m h\n# TYPE m counter\n# HELP m h\n# TYPE m counter\n")] // family twice
    [InlineData("# HELP m h\n# TYPE m counter\nm_bucket{le=\"1\"} 1\n")] // bucket of a counter
    [InlineData("# HELP m h\n# TYPE m counter\nm 1")] // no final line feed
    public void Parse_MalformedExposition_Rejected(string text)
    {
        // The tests' reader must be able to fail, or "it parses" proves nothing.
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
    }
}
