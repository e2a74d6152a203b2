using MlOps.Agent.Options;

namespace MlOps.Agent.Tests.Options;

public sealed class AgentOptionsValidatorTests
{
    [Fact]
    public void Validate_SeveralBadSettings_ListsEveryOne()
    {
        var options = new AgentOptions
        {
            CoordinatorAddress = "ftp://nowhere",
            Id = "has space",
            ReconnectMinDelay = TimeSpan.FromSeconds(10),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            CancelGracePeriod = TimeSpan.FromSeconds(-1),
        };

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.Contains("Agent:CoordinatorAddress"));
        Assert.Contains(failures, f => f.Contains("Agent:Id"));
        Assert.Contains(failures, f => f.Contains("Agent:ReconnectMinDelay"));
        Assert.Contains(failures, f => f.Contains("Agent:CancelGracePeriod"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_ProfileWindowNotPositive_NamesTheSetting(int seconds)
    {
        var options = new AgentOptions { Id = "a1" };
        options.Serving.ProfileWindow = TimeSpan.FromSeconds(seconds);

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Agent:Serving:ProfileWindow"));
    }

    [Fact]
    public void ServingProfileWindow_Default_IsOneMinute() => Assert.Equal(TimeSpan.FromSeconds(60), new AgentOptions().Serving.ProfileWindow);

    [Fact]
    public void PostConfigure_Empty_FillsHostNameAndDataDirectory()
    {
        var options = new AgentOptions();

        new AgentOptionsValidator().PostConfigure(null, options);

        Assert.False(string.IsNullOrWhiteSpace(options.Id));
        Assert.EndsWith(Path.Combine("mlops", "agent"), options.DataDirectory);
        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://127.0.0.1:9465")]
    [InlineData("http://0.0.0.0:0")]
    public void Validate_MetricsListenEmptyOrAddress_Succeeds(string metricsListen)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Id = "a1", MetricsListen = metricsListen });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("9465")]
    [InlineData("https://127.0.0.1:9465")]
    [InlineData("http://metrics.example:9465")]
    public void Validate_BadMetricsListen_NamesTheSetting(string metricsListen)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Id = "a1", MetricsListen = metricsListen });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Agent:MetricsListen must be http://HOST:PORT", failure, StringComparison.Ordinal);
        Assert.Contains(metricsListen, failure, StringComparison.Ordinal);
    }
}
