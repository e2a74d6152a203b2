using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Cli.Tests.Fakes;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Cli.Tests.EndToEnd;

/// <summary><c>model ls|versions|show|alias|pull</c> against the fake registry and a real on-disk artifact store.</summary>
[Trait("Category", "Integration")]
public sealed class ModelCommandsTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-models");
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Ls_PrintsEachModelWithLatestVersionCountAndAliases()
    {
        AddTwoVersions();
        _server.Models.Versions[0].Aliases.Add("production");
        _server.Models.Versions[1].Aliases.Add("staging");
        _server.Models.Add("digits-cnn", 1, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage());

        var result = await Run("model", "ls");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^NAME\s+LATEST\s+VERSIONS\s+ALIASES\s+UPDATED$", result.OutLines[0]);
        Assert.Matches(@"^digits-cnn\s+1\s+1\s+-\s+\d{4}-", result.OutLines[1]);
        Assert.Matches(@"^fashion-mlp\s+2\s+2\s+production=1, staging=2\s+\d{4}-", result.OutLines[2]);
    }

    [Fact]
    public async Task Versions_PrintsAliasesMetricsShortOnnxDigestAndDataset()
    {
        AddTwoVersions();
        _server.Models.Versions[0].Aliases.Add("production");

        var result = await Run("model", "versions", "fashion-mlp");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^VERSION\s+ALIASES\s+TEST_ACCURACY\s+METRICS\s+ONNX\s+DATASET\s+CREATED$", result.OutLines[0]);
        Assert.Matches(@"^1\s+production\s+0\.8857\s+epochs=3 test_loss=0\.3100\s+sha256:eeeeeeeeeeee\s+fashion-mnist@1\s+\d{4}-", result.OutLines[1]);
        Assert.Matches(@"^2\s+-\s+0\.8901\s+epochs=3 test_loss=0\.3000\s+sha256:eeeeeeeeeeee\s+fashion-mnist@1\s+\d{4}-", result.OutLines[2]);
    }

    [Fact]
    public async Task Versions_UnknownModel_ExitsThree()
    {
        var result = await Run("model", "versions", "nope");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("model nope not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_ByVersion_PrintsTheFullLineage()
    {
        AddTwoVersions();

        var result = await Run("model", "show", "fashion-mlp:1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(_server.Models.Gets);
        Assert.Equal(("fashion-mlp", 1, ""), (request.Model, request.Version, request.Alias));
        var text = Normalize(result.Out);
        foreach (var expected in new[]
        {
            "model: fashion-mlp:1", "onnx digest: " + RegistryFixtures.OnnxDigest, "test_accuracy: 0.8857", "test_loss: 0.3100",
            "dataset: fashion-mnist@1", "dataset digest: " + RegistryFixtures.DatasetDigest, "job: job-7",
            "job spec digest: sha256:" + new string('5', 64), "seed: 42", "code version: 0123abc", "torchsharp: 0.107.0",
            "onnx runtime: 1.31.1", "opset: 17", "ir version: 8",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Show_ByAlias_AsksForTheAlias()
    {
        AddTwoVersions();
        _server.Models.Versions[1].Aliases.Add("production");

        var result = await Run("model", "show", "fashion-mlp@production", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("production", Assert.Single(_server.Models.Gets).Alias);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(2, json.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("job-7", json.RootElement.GetProperty("lineage").GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task Show_BareName_AsksForTheNewestVersion()
    {
        AddTwoVersions();

        var result = await Run("model", "show", "fashion-mlp");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(_server.Models.Gets);
        Assert.Equal(("fashion-mlp", 0, ""), (request.Model, request.Version, request.Alias));
    }

    [Fact]
    public async Task Show_UnknownAlias_ExitsThree()
    {
        AddTwoVersions();

        var result = await Run("model", "show", "fashion-mlp@canary");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("fashion-mlp@canary not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AliasSet_NewThenMoved_SetsItAndSaysWhereItWas()
    {
        AddTwoVersions();

        var created = await Run("model", "alias", "set", "fashion-mlp", "production", "1");
        var moved = await Run("model", "alias", "set", "fashion-mlp", "production", "2");
        var same = await Run("model", "alias", "set", "fashion-mlp", "production", "2");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(["fashion-mlp@production -> fashion-mlp:1 (new)"], created.OutLines);
        Assert.Equal(["fashion-mlp@production -> fashion-mlp:2 (was 1)"], moved.OutLines);
        Assert.Equal(["fashion-mlp@production -> fashion-mlp:2 (unchanged)"], same.OutLines);
        Assert.Empty(_server.Models.Versions[0].Aliases);
        Assert.Equal(["production"], _server.Models.Versions[1].Aliases);
    }

    [Fact]
    public async Task AliasSet_UnknownVersion_ExitsThree()
    {
        AddTwoVersions();

        var result = await Run("model", "alias", "set", "fashion-mlp", "production", "9");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("fashion-mlp:9 not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AliasRm_RemovesItAndAMissingOneExitsThree()
    {
        AddTwoVersions();
        _server.Models.Versions[0].Aliases.Add("staging");

        var removed = await Run("model", "alias", "rm", "fashion-mlp", "staging");
        var again = await Run("model", "alias", "rm", "fashion-mlp", "staging");

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal(["removed fashion-mlp@staging"], removed.OutLines);
        Assert.Empty(_server.Models.Versions[0].Aliases);
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
    }

    [Fact]
    public async Task Pull_ByAlias_WritesVerifiedFilesAndPrintsThemAndTheOnnxDigest()
    {
        var onnx = "fake onnx bytes"u8.ToArray();
        var registered = await RegistryFixtures.PushAndRegisterAsync(_server, _temp.Path, "fashion-mlp", 1, onnx);
        registered.Aliases.Add("production");
        var dir = _temp.Combine("out");

        var result = await Run("model", "pull", "fashion-mlp@production", "-o", dir);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(onnx, await File.ReadAllBytesAsync(Path.Combine(dir, "model.onnx")));
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        Assert.Equal($"pulled fashion-mlp:1 (fashion-mlp@production) into {dir}", result.OutLines[0]);
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, $@"^model\.onnx\s+{Sha256Digest.OfBytes(onnx)}\s+{onnx.Length}$"));
        Assert.Contains(result.OutLines, l => l.StartsWith("config.json ", StringComparison.Ordinal));
        Assert.Equal("onnx digest: " + Sha256Digest.OfBytes(onnx), result.OutLines[^1]);
        Assert.All(_server.Artifacts.Users, user => Assert.Equal(CliRun.User, user));
    }

    [Fact]
    public async Task Pull_AgainIntoTheSameDirectory_ReplacesIt()
    {
        await RegistryFixtures.PushAndRegisterAsync(_server, _temp.Path, "fashion-mlp", 1, "one"u8.ToArray());
        await RegistryFixtures.PushAndRegisterAsync(_server, _temp.Path, "fashion-mlp", 2, "two"u8.ToArray());
        var dir = _temp.Combine("out");

        var first = await Run("model", "pull", "fashion-mlp:1", "-o", dir);
        var second = await Run("model", "pull", "fashion-mlp:2", "-o", dir, "--output", "json");

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal("two"u8.ToArray(), await File.ReadAllBytesAsync(Path.Combine(dir, "model.onnx")));
        using var json = JsonDocument.Parse(second.Out);
        Assert.Equal(Sha256Digest.OfBytes("two"u8.ToArray()), json.RootElement.GetProperty("onnxDigest").GetString());
    }

    [Fact]
    public async Task Pull_CorruptBlob_ExitsFiveAndLeavesNoDirectory()
    {
        var onnx = "fake onnx bytes"u8.ToArray();
        await RegistryFixtures.PushAndRegisterAsync(_server, _temp.Path, "fashion-mlp", 1, onnx);
        _server.Artifacts.CorruptOnPull[Sha256Digest.OfBytes(onnx)] = true;
        var dir = _temp.Combine("out");

        var result = await Run("model", "pull", "fashion-mlp:1", "-o", dir);

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("corrupt artifact", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Pull_RegistryOnnxDigestDisagrees_ExitsFiveAndRemovesTheDirectory()
    {
        var registered = await RegistryFixtures.PushAndRegisterAsync(_server, _temp.Path, "fashion-mlp", 1, "onnx"u8.ToArray());
        registered.OnnxDigest = RegistryFixtures.OnnxDigest;
        var dir = _temp.Combine("out");

        var result = await Run("model", "pull", "fashion-mlp:1", "-o", dir);

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("registry recorded " + RegistryFixtures.OnnxDigest, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Pull_NonEmptyDirectory_ExitsTwoAndKeepsItsFiles()
    {
        await RegistryFixtures.PushAndRegisterAsync(_server, _temp.Path, "fashion-mlp", 1, "onnx"u8.ToArray());
        var dir = Directory.CreateDirectory(_temp.Combine("precious")).FullName;
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");

        var result = await Run("model", "pull", "fashion-mlp:1", "-o", dir);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("not empty", result.Error, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "notes.txt")));
        Assert.Empty(_server.Models.Gets);
    }

    [Fact]
    public async Task Pull_UnknownVersion_ExitsThree()
    {
        var result = await Run("model", "pull", "fashion-mlp:4", "-o", _temp.Combine("out"));

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
    }

    private void AddTwoVersions()
    {
        _server.Models.Add("fashion-mlp", 1, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage(),
            ("test_accuracy", 0.8857), ("test_loss", 0.31), ("epochs", 3));
        _server.Models.Add("fashion-mlp", 2, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage(),
            ("test_accuracy", 0.8901), ("test_loss", 0.30), ("epochs", 3));
    }

    private static string Normalize(string text) => Regex.Replace(text, @"[ ]{2,}", " ").Replace(": ", ": ", StringComparison.Ordinal);

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
