using MlOps.Discovery.Http;

namespace MlOps.Discovery.Tests.Http;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(15_000, "15s")]
    [InlineData(90_000, "90s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(250, "250ms")]
    public void Format_Milliseconds_ShortestExactForm(int milliseconds, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Format_SubMillisecond_UsesMicrosecondsOrNanoseconds()
    {
        Assert.Equal("5us", GoDuration.Format(TimeSpan.FromTicks(50)));
        Assert.Equal("700ns", GoDuration.Format(TimeSpan.FromTicks(7)));
    }

    [Fact]
    public void Format_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GoDuration.Format(TimeSpan.FromSeconds(-1)));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("30s", 30_000)]
    [InlineData("1m0s", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1h1m1s", 3_661_000)]
    [InlineData("-3s", -3_000)]
    [InlineData("+3s", 3_000)]
    public void TryParse_GoForms_Parses(string text, int expectedMilliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Fact]
    public void TryParse_MicroAndNano_Parses()
    {
        Assert.True(GoDuration.TryParse("1\u00b5s", out var micro));
        Assert.Equal(TimeSpan.FromTicks(10), micro);
        Assert.True(GoDuration.TryParse("300ns", out var nano));
        Assert.Equal(TimeSpan.FromTicks(3), nano);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("1x")]
    [InlineData("1.2.3s")]
    [InlineData("-")]
    public void TryParse_Invalid_Fails(string? text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_FormatOutput_RoundTrips()
    {
        foreach (var value in new[] { TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(1234), TimeSpan.FromTicks(12345) })
        {
            Assert.True(GoDuration.TryParse(GoDuration.Format(value), out var parsed));
            Assert.Equal(value, parsed);
        }
    }
}
