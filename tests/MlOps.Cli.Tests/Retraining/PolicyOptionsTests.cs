using MlOps.Cli.Retraining;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Retraining;

/// <summary><c>mlops retrain policy set</c>: options to the policy sent, and the mistakes refused before anything is sent.</summary>
public sealed class PolicyOptionsTests
{
    // Nothing listens here: a command that got past its own checks would fail with 4, not 2.
    private const string Nowhere = "http://127.0.0.1:1";

    [Fact]
    public void ToPolicy_EveryOption_SetsItsField()
    {
        var policy = Policy("fashion", "--deployment", "fashion-prod", "--on-drift", "--accuracy-below", "0.8", "--every", "1d",
            "--on-new-data", "--canary-percent", "25", "--canary-duration", "1h30m", "--min-improvement", "0.01", "--significance", "0.05",
            "--cooldown", "30m", "--max-canary-accuracy-drop", "0.03", "--alias", "champion", "--paused",
            "--epochs", "20", "--learning-rate", "0.0005", "--batch-size", "128");

        Assert.Equal("fashion", policy.Model);
        Assert.Equal("fashion-prod", policy.Deployment);
        Assert.True(policy.Triggers.OnDrift);
        Assert.Equal(0.8, policy.Triggers.AccuracyBelow);
        Assert.Equal(TimeSpan.FromDays(1), policy.Triggers.Every.ToTimeSpan());
        Assert.True(policy.Triggers.OnNewDatasetVersion);
        Assert.Equal(25, policy.CanaryPercent);
        Assert.Equal(TimeSpan.FromMinutes(90), policy.CanaryDuration.ToTimeSpan());
        Assert.Equal(0.01, policy.MinImprovement);
        Assert.Equal(0.05, policy.Significance);
        Assert.Equal(TimeSpan.FromMinutes(30), policy.Cooldown.ToTimeSpan());
        Assert.Equal(0.03, policy.MaxCanaryAccuracyDrop);
        Assert.Equal("champion", policy.PromoteAlias);
        Assert.True(policy.Paused);
        Assert.Equal(new HyperParameters { Epochs = 20, LearningRate = 0.0005, BatchSize = 128 }, policy.HyperParameters);
    }

    [Fact]
    public void ToPolicy_NoOptions_SendsZeroAndAbsentForTheCoordinatorsDefaults()
    {
        var policy = Policy("fashion");

        Assert.Equal(new RetrainingPolicy { Model = "fashion", Triggers = new RetrainingTriggers() }, policy);
        Assert.Null(policy.Triggers.Every);
        Assert.Null(policy.CanaryDuration);
        Assert.Null(policy.Cooldown);
        Assert.Null(policy.HyperParameters);
    }

    [Fact]
    public void ToPolicy_OneHyperParameter_LeavesTheOthersToProduction()
    {
        var policy = Policy("fashion", "--epochs", "5");

        Assert.Equal(new HyperParameters { Epochs = 5 }, policy.HyperParameters);
    }

    [Fact]
    public void ToPolicy_ZeroCooldown_SentAsAPresentZero()
    {
        var policy = Policy("fashion", "--cooldown", "0");

        Assert.NotNull(policy.Cooldown);
        Assert.Equal(TimeSpan.Zero, policy.Cooldown.ToTimeSpan());
    }

    [Theory]
    [InlineData("--canary-percent", "0", "invalid --canary-percent '0': must be between 1 and 99")]
    [InlineData("--canary-percent", "100", "invalid --canary-percent '100': must be between 1 and 99")]
    [InlineData("--every", "-1h", "invalid --every '-1h': must not be negative")]
    [InlineData("--cooldown", "-30s", "invalid --cooldown '-30s': must not be negative")]
    [InlineData("--every", "daily", "invalid --every 'daily': expected a duration like 30s, 10m, 1h or 1h30m")]
    [InlineData("--canary-duration", "0", "invalid --canary-duration '0': must be at least 1s")]
    [InlineData("--accuracy-below", "1.2", "invalid --accuracy-below '1.2': must be between 0 and 1")]
    [InlineData("--min-improvement", "-0.1", "invalid --min-improvement '-0.1': must be between 0 and 1")]
    [InlineData("--max-canary-accuracy-drop", "2", "invalid --max-canary-accuracy-drop '2': must be between 0 and 1")]
    [InlineData("--significance", "1", "invalid --significance '1': must be at least 0 and below 1")]
    [InlineData("--epochs", "0", "invalid --epochs '0': must be at least 1")]
    [InlineData("--batch-size", "-8", "invalid --batch-size '-8': must be at least 1")]
    [InlineData("--learning-rate", "0", "invalid --learning-rate '0': must be greater than 0")]
    [InlineData("--alias", "3", "--alias: invalid alias '3'")]
    [InlineData("--deployment", "../x", "--deployment: invalid deployment name '../x'")]
    public async Task Set_BadOption_ExitsTwoNamingTheOption(string option, string value, string message)
    {
        var result = await CliRun.RunAsync("retrain", "policy", "set", "fashion", option, value, "--coordinator", Nowhere);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("error: " + message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_SeveralBadOptions_ReportsEveryOneAtOnce()
    {
        var result = await CliRun.RunAsync("retrain", "policy", "set", "fashion", "--canary-percent", "0", "--every", "-5m",
            "--significance", "2", "--coordinator", Nowhere);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--canary-percent", result.Error, StringComparison.Ordinal);
        Assert.Contains("--every", result.Error, StringComparison.Ordinal);
        Assert.Contains("--significance", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'mlops retrain policy set --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_BadModelName_ExitsTwo()
    {
        var result = await CliRun.RunAsync("retrain", "policy", "set", "Fashion!", "--coordinator", Nowhere);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("invalid model name 'Fashion!'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RunsAndShow_ReadTheirArguments()
    {
        var runs = CliRun.Parse("retrain", "runs", "fashion", "--limit", "5");
        Assert.Empty(runs.Errors);
        Assert.Equal(("fashion", 5), (runs.GetValue<string>("model"), runs.GetValue<int>("--limit")));
        Assert.Empty(CliRun.Parse("retrain", "runs").Errors);
        Assert.NotEmpty(CliRun.Parse("retrain", "runs", "--limit", "0").Errors);

        var show = CliRun.Parse("retrain", "show", "rr-7", "-w", "-o", "json");
        Assert.Empty(show.Errors);
        Assert.Equal("rr-7", show.GetValue<string>("id"));
        Assert.True(show.GetValue<bool>("--watch"));

        var now = CliRun.Parse("retrain", "now", "fashion", "--reason", "new labels");
        Assert.Empty(now.Errors);
        Assert.Equal("new labels", now.GetValue<string>("--reason"));
    }

    /// <summary>Parses with a command holding only the policy options, as <c>policy set</c> does.</summary>
    private static RetrainingPolicy Policy(string model, params string[] options)
    {
        var policyOptions = new PolicyOptions();
        var command = new System.CommandLine.Command("set") { new System.CommandLine.Argument<string>("model") };
        foreach (var option in policyOptions.All)
        {
            command.Options.Add(option);
        }

        var parseResult = command.Parse([model, .. options]);
        Assert.Empty(parseResult.Errors);
        return policyOptions.ToPolicy(parseResult, model);
    }
}
