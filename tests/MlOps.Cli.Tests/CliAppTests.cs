using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Tests;

/// <summary>Argument parsing of every command, and the usage exit code.</summary>
public sealed class CliAppTests
{
    [Fact]
    public void Parse_Submit_ReadsFileWatchAndOwner()
    {
        var result = CliRun.Parse("submit", "job.yaml", "--watch", "--owner", "alice");

        Assert.Empty(result.Errors);
        Assert.Equal("submit", result.CommandResult.Command.Name);
        Assert.Equal("job.yaml", result.GetValue<string>("file"));
        Assert.True(result.GetValue<bool>("--watch"));
        Assert.Equal("alice", result.GetValue<string>("--owner"));
    }

    [Fact]
    public void Parse_SubmitWithoutFile_IsAnError()
    {
        Assert.NotEmpty(CliRun.Parse("submit").Errors);
    }

    [Fact]
    public void Parse_Jobs_CollectsRepeatedAndCommaSeparatedStates()
    {
        var result = CliRun.Parse("jobs", "--state", "running,Queued", "-s", "JOB_STATE_FAILED", "--owner", "bob", "--limit", "20", "--all");

        Assert.Empty(result.Errors);
        Assert.Equal([JobState.Running, JobState.Queued, JobState.Failed], result.GetValue<JobState[]>("--state"));
        Assert.Equal("bob", result.GetValue<string>("--owner"));
        Assert.Equal(20, result.GetValue<int>("--limit"));
        Assert.True(result.GetValue<bool>("--all"));
    }

    [Theory]
    [InlineData("jobs", "--state", "sleeping")]
    [InlineData("jobs", "--limit", "0")]
    [InlineData("jobs", "--limit", "501")]
    [InlineData("watch", "j1", "--from-seq", "-1")]
    [InlineData("up", "--port", "70000")]
    [InlineData("agents", "--output", "yaml")]
    [InlineData("job")]
    [InlineData("cancel")]
    [InlineData("frobnicate")]
    public void Parse_BadArguments_AreErrors(params string[] args)
    {
        Assert.NotEmpty(CliRun.Parse(args).Errors);
    }

    [Fact]
    public void Parse_JobAndWatchAndCancel_ReadTheirArguments()
    {
        Assert.Equal("j1", CliRun.Parse("job", "j1").GetValue<string>("id"));

        var watch = CliRun.Parse("watch", "j2", "--from-seq", "42");
        Assert.Equal("j2", watch.GetValue<string>("id"));
        Assert.Equal(42L, watch.GetValue<long>("--from-seq"));

        var cancel = CliRun.Parse("cancel", "j3", "--reason", "wrong data");
        Assert.Equal("j3", cancel.GetValue<string>("id"));
        Assert.Equal("wrong data", cancel.GetValue<string>("--reason"));
    }

    [Fact]
    public void Parse_Output_AcceptsJsonInAnyCase()
    {
        Assert.Equal(OutputFormat.Json, CliRun.Parse("agents", "-o", "json").GetValue<OutputFormat>("--output"));
        Assert.Equal(OutputFormat.Json, CliRun.Parse("jobs", "--output", "JSON").GetValue<OutputFormat>("--output"));
        Assert.Equal(OutputFormat.Table, CliRun.Parse("agents").GetValue<OutputFormat>("--output"));
    }

    [Fact]
    public void Parse_Coordinator_DefaultsToTheEnvironmentVariableThenLoopback()
    {
        var withVariable = CliRun.Environment(variables: new Dictionary<string, string> { ["MLOPS_COORDINATOR"] = "http://ml-head:7070" });

        Assert.Equal("http://ml-head:7070", CliApp.BuildRootCommand(withVariable).Parse(["jobs"]).GetValue<string>("--coordinator"));
        Assert.Equal("http://127.0.0.1:7070", CliRun.Parse("jobs").GetValue<string>("--coordinator"));
        Assert.Equal("http://other:1", CliApp.BuildRootCommand(withVariable).Parse(["jobs", "--coordinator", "http://other:1"]).GetValue<string>("--coordinator"));
    }

    [Fact]
    public void Parse_Up_HasDefaultsAndReadsEveryOption()
    {
        var defaults = CliRun.Parse("up");
        Assert.Empty(defaults.Errors);
        Assert.Equal(7070, defaults.GetValue<int>("--port"));
        Assert.Equal("local", defaults.GetValue<string>("--agent-id"));

        var given = CliRun.Parse("up", "--data-dir", "/tmp/d", "--port", "9000", "--agent-id", "a1", "--coordinator-path", "c.dll", "--agent-path", "a.dll");
        Assert.Equal("/tmp/d", given.GetValue<string>("--data-dir"));
        Assert.Equal(9000, given.GetValue<int>("--port"));
        Assert.Equal("a1", given.GetValue<string>("--agent-id"));
        Assert.Equal("c.dll", given.GetValue<string>("--coordinator-path"));
        Assert.Equal("a.dll", given.GetValue<string>("--agent-path"));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("jobs", "--state", "sleeping")]
    [InlineData]
    public async Task RunAsync_UsageError_ExitsTwoWithTheErrorOnStderr(params string[] args)
    {
        var result = await CliRun.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task RunAsync_Help_ExitsZeroAndListsTheCommands()
    {
        var result = await CliRun.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "up", "submit", "jobs", "job", "watch", "cancel", "agents" })
        {
            Assert.Contains("  " + command, result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_BadCoordinatorAddress_ExitsTwo()
    {
        var result = await CliRun.RunAsync("agents", "--coordinator", "ftp://x");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("http://HOST:PORT", result.Error, StringComparison.Ordinal);
    }
}
