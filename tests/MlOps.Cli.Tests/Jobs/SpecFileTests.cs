using MlOps.Cli.Jobs;
using MlOps.Cli.Tests.EndToEnd;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Jobs;

/// <summary>Reading spec files from disk: every error listed with its field, exit code 2.</summary>
public sealed class SpecFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-spec");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_ValidSpec_FillsTheLocalUserAsOwner()
    {
        var spec = SpecFile.Load(Write(SpecYaml.Valid), owner: null, localUser: "carol");

        Assert.Equal("mnist-quick", spec.Name);
        Assert.Equal("carol", spec.Owner);
    }

    [Fact]
    public void Load_SpecWithOwner_KeepsItUnlessOverridden()
    {
        var path = Write("owner: alice\n" + SpecYaml.Valid);

        Assert.Equal("alice", SpecFile.Load(path, owner: null, localUser: "carol").Owner);
        Assert.Equal("bob", SpecFile.Load(path, owner: "bob", localUser: "carol").Owner);
    }

    [Fact]
    public void Load_MalformedYaml_ReportsTheYamlErrorWithItsLine()
    {
        var ex = Assert.Throws<CliException>(() => SpecFile.Load(Write("name: x\nmodel: [unclosed\n"), null, "u"));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        var detail = Assert.Single(ex.Details);
        Assert.StartsWith("(yaml): line ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeys_ListsEachWithItsField()
    {
        var yaml = SpecYaml.Valid.Replace("seed: 7", "seed: 7\nlearning_rate: 0.1", StringComparison.Ordinal)
            .Replace("  epochs: 2", "  epochs: 2\n  epoch: 3", StringComparison.Ordinal);

        var ex = Assert.Throws<CliException>(() => SpecFile.Load(Write(yaml), null, "u"));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Equal(2, ex.Details.Count);
        Assert.StartsWith("learning_rate: unknown key 'learning_rate'", ex.Details[0], StringComparison.Ordinal);
        Assert.StartsWith("hyper_parameters.epoch: unknown key 'epoch'", ex.Details[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidValues_ListsEveryValidatorError()
    {
        var yaml = SpecYaml.Valid.Replace("epochs: 2", "epochs: 0", StringComparison.Ordinal)
            .Replace("learning_rate: 0.001", "learning_rate: 0", StringComparison.Ordinal);

        var ex = Assert.Throws<CliException>(() => SpecFile.Load(Write(yaml), null, "u"));

        Assert.Contains("(2 errors)", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Details, d => d.StartsWith("hyper_parameters.learning_rate: ", StringComparison.Ordinal));
        Assert.Contains(ex.Details, d => d.StartsWith("hyper_parameters.epochs: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MissingFile_IsAUsageError()
    {
        var ex = Assert.Throws<CliException>(() => SpecFile.Load(_temp.Combine("missing.yaml"), null, "u"));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_UnknownKey_PrintsOneIndentedLinePerErrorAndExitsTwo()
    {
        var path = Write(SpecYaml.Valid + "\ncolour: blue\nsize: 3\n");

        // Port 1 is closed: the spec must be refused before any call, or this would exit 4.
        var result = await CliRun.RunAsync("submit", path, "--coordinator", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"error: invalid job spec {path} (2 errors):", lines[0]);
        Assert.StartsWith("  colour: unknown key 'colour'", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  size: unknown key 'size'", lines[2], StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Submit_MalformedYaml_PrintsTheYamlFieldAndExitsTwo()
    {
        var result = await CliRun.RunAsync("submit", Write("name: [\n"), "--coordinator", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("  (yaml): line ", result.Error, StringComparison.Ordinal);
    }

    private string Write(string yaml)
    {
        var path = _temp.Combine($"{Guid.NewGuid():n}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
