using MlOps.Cli.Retraining;

namespace MlOps.Cli.Tests.Retraining;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("30m1h", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("2d", 172_800)]
    [InlineData("1d2h3m4s", 93_784)]
    [InlineData("1500ms", 1.5)]
    [InlineData("10M", 600)]
    [InlineData("0", 0)]
    [InlineData(" 45s ", 45)]
    public void TryParse_Valid_ReadsSeconds(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("1x")]
    [InlineData("h")]
    [InlineData("1h1h")]
    [InlineData("1.2.3s")]
    [InlineData("1h 30m")]
    [InlineData("99999999999999999999d")]
    [InlineData("20000000d")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_LeadingMinus_IsNegative()
    {
        Assert.True(DurationText.TryParse("-5m", out var value));
        Assert.Equal(TimeSpan.FromMinutes(-5), value);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(30, "30s")]
    [InlineData(600, "10m")]
    [InlineData(5400, "1h30m")]
    [InlineData(86_400, "1d")]
    [InlineData(93_784, "1d2h3m4s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0.25, "250ms")]
    public void Format_Seconds_ShortestForm(double seconds, string expected)
    {
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("1h30m")]
    [InlineData("7d")]
    [InlineData("45s")]
    public void Format_Parsed_RoundTrips(string text)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(text, DurationText.Format(value));
    }
}
