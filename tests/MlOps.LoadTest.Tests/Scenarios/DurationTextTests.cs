using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Tests.Scenarios;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData(" 2 m ", 120_000)]
    [InlineData("0s", 0)]
    [InlineData(".5ms", 0.5)]
    [InlineData("-3s", -3000)]
    public void TryParse_NumberWithUnit_ReturnsDuration(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("10", "'10' has no unit; add one: 10ms, 10s or 10m")]
    [InlineData("10h", "unknown unit 'h'; use ms, s or m")]
    [InlineData("10 sec", "unknown unit 'sec'")]
    [InlineData("fast", "'fast' is not a duration")]
    [InlineData("1.2.3s", "is not a duration")]
    [InlineData("", "is empty")]
    [InlineData("99999999999999999999m", "too long")]
    public void TryParse_Malformed_ReturnsFalseSayingWhy(string text, string message)
    {
        Assert.False(DurationText.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Malformed_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => DurationText.Parse("5"));
    }
}
