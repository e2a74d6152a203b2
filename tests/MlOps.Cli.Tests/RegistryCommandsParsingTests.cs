using MlOps.Cli.Output;

namespace MlOps.Cli.Tests;

/// <summary>Argument parsing of the dataset, model and reproduce commands, and their usage errors (exit 2).</summary>
public sealed class RegistryCommandsParsingTests
{
    // Nothing listens here: a command that got past its own checks would fail with 4, not 2.
    private const string Nowhere = "http://127.0.0.1:1";

    [Fact]
    public void Parse_DataPush_ReadsNamePathsAndFormat()
    {
        var result = CliRun.Parse("data", "push", "fashion-mnist", "a.gz", "dir", "--format", "mnist-idx");

        Assert.Empty(result.Errors);
        Assert.Equal("push", result.CommandResult.Command.Name);
        Assert.Equal("fashion-mnist", result.GetValue<string>("name"));
        Assert.Equal(["a.gz", "dir"], result.GetValue<string[]>("paths")!);
        Assert.Equal("mnist-idx", result.GetValue<string>("--format"));
    }

    [Fact]
    public void Parse_DataLsAndShow_ReadTheirArguments()
    {
        Assert.Null(CliRun.Parse("data", "ls").GetValue<string>("name"));
        Assert.Equal("fashion-mnist", CliRun.Parse("data", "ls", "fashion-mnist").GetValue<string>("name"));
        Assert.Equal("fashion-mnist@2", CliRun.Parse("data", "show", "fashion-mnist@2", "-o", "json").GetValue<string>("reference"));
        Assert.Equal(OutputFormat.Json, CliRun.Parse("data", "show", "x", "-o", "json").GetValue<OutputFormat>("--output"));
    }

    [Fact]
    public void Parse_ModelCommands_ReadTheirArguments()
    {
        Assert.Equal("ls", CliRun.Parse("model", "ls").CommandResult.Command.Name);
        Assert.Equal("fashion-mlp", CliRun.Parse("model", "versions", "fashion-mlp").GetValue<string>("name"));
        Assert.Equal("fashion-mlp@production", CliRun.Parse("model", "show", "fashion-mlp@production").GetValue<string>("reference"));

        var set = CliRun.Parse("model", "alias", "set", "fashion-mlp", "production", "3");
        Assert.Empty(set.Errors);
        Assert.Equal(("fashion-mlp", "production", "3"), (set.GetValue<string>("name"), set.GetValue<string>("alias"), set.GetValue<string>("version")));

        var rm = CliRun.Parse("model", "alias", "rm", "fashion-mlp", "staging");
        Assert.Empty(rm.Errors);
        Assert.Equal("staging", rm.GetValue<string>("alias"));
    }

    [Fact]
    public void Parse_ModelPull_DashOIsTheDirectoryAndOutputStaysLong()
    {
        var result = CliRun.Parse("model", "pull", "fashion-mlp:3", "-o", "out", "--output", "json");

        Assert.Empty(result.Errors);
        Assert.Equal("fashion-mlp:3", result.GetValue<string>("reference"));
        Assert.Equal("out", result.GetValue<string>("--dir"));
        Assert.Equal(OutputFormat.Json, result.GetValue<OutputFormat>("--output"));
    }

    [Fact]
    public void Parse_Reproduce_ReadsReferenceWatchAndOwner()
    {
        var result = CliRun.Parse("reproduce", "fashion-mlp:3", "--watch", "--owner", "carol");

        Assert.Empty(result.Errors);
        Assert.Equal("fashion-mlp:3", result.GetValue<string>("reference"));
        Assert.True(result.GetValue<bool>("--watch"));
        Assert.Equal("carol", result.GetValue<string>("--owner"));
    }

    [Theory]
    [InlineData("data")]
    [InlineData("data", "push", "fashion-mnist")]
    [InlineData("data", "show")]
    [InlineData("data", "ls", "a", "b")]
    [InlineData("model")]
    [InlineData("model", "versions")]
    [InlineData("model", "alias", "set", "fashion-mlp", "production")]
    [InlineData("model", "alias", "rm", "fashion-mlp")]
    [InlineData("model", "pull", "fashion-mlp:3")]
    [InlineData("model", "pull", "fashion-mlp:3", "-o", "out", "-o", "json")]
    [InlineData("reproduce")]
    public void Parse_MissingOrExtraArguments_AreErrors(params string[] args)
    {
        Assert.NotEmpty(CliRun.Parse(args).Errors);
    }

    [Theory]
    [InlineData("invalid dataset name '../x'", "data", "push", "../x", "somefile")]
    [InlineData("invalid dataset name 'Fashion'", "data", "push", "Fashion", "somefile")]
    [InlineData("invalid dataset name '../x'", "data", "ls", "../x")]
    [InlineData("invalid dataset reference '../x@1'", "data", "show", "../x@1")]
    [InlineData("invalid version 'latest'", "data", "show", "fashion-mnist@latest")]
    [InlineData("invalid dataset digest", "data", "show", "sha256:00")]
    [InlineData("invalid model name 'a/b'", "model", "versions", "a/b")]
    [InlineData("expected NAME:VERSION, NAME@ALIAS or NAME", "model", "show", "Fashion")]
    [InlineData("expected NAME:VERSION or NAME@ALIAS", "reproduce", "fashion-mlp")]
    [InlineData("for version 3 write fashion-mlp:3", "model", "show", "fashion-mlp@3")]
    [InlineData("invalid alias 'Prod'", "model", "alias", "set", "fashion-mlp", "Prod", "3")]
    [InlineData("invalid version 'three'", "model", "alias", "set", "fashion-mlp", "production", "three")]
    [InlineData("invalid alias '1'", "model", "alias", "rm", "fashion-mlp", "1")]
    [InlineData("invalid model reference '../m:1'", "model", "pull", "../m:1", "-o", "out")]
    [InlineData("invalid version '0'", "reproduce", "fashion-mlp:0")]
    public async Task RunAsync_MalformedNameOrReference_ExitsTwoBeforeCallingTheCoordinator(string expected, params string[] args)
    {
        var result = await CliRun.RunAsync([.. args, "--coordinator", Nowhere]);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task RunAsync_Help_ListsTheNewCommands()
    {
        var root = await CliRun.RunAsync("--help");
        var model = await CliRun.RunAsync("model", "--help");

        foreach (var command in new[] { "data", "model", "reproduce" })
        {
            Assert.Contains("  " + command, root.Out, StringComparison.Ordinal);
        }

        foreach (var command in new[] { "ls ", "versions <NAME>", "show <MODEL>", "alias ", "pull <MODEL>" })
        {
            Assert.Contains(command, model.Out, StringComparison.Ordinal);
        }
    }
}
