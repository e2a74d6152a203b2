using System.Text.Json;
using MlOps.Cli.Tests.Fakes;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Cli.Tests.EndToEnd;

/// <summary><c>data push</c>, <c>data ls</c> and <c>data show</c> against the fake coordinator and a real on-disk artifact store.</summary>
[Trait("Category", "Integration")]
public sealed class DatasetCommandsTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-data");
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Push_Directory_UploadsEveryFileRegistersAndPrintsNameAtVersionAndDigest()
    {
        var dir = TinyDataset();

        var result = await Run("data", "push", "fashion-mnist", dir);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(_server.Datasets.Created);
        Assert.Equal(("fashion-mnist", "mnist-idx"), (request.Name, request.Format));
        Assert.True(Sha256Digest.IsValid(request.ManifestDigest));
        Assert.Equal([$"fashion-mnist@1 {request.ManifestDigest}"], result.OutLines);
        var version = Assert.Single(_server.Datasets.Versions);
        Assert.Equal(
            ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"],
            version.Files.Select(f => f.Name));
        foreach (var file in version.Files)
        {
            Assert.Equal(Sha256Digest.OfFile(Path.Combine(dir, file.Name)), file.Digest);
            Assert.Equal(new FileInfo(Path.Combine(dir, file.Name)).Length, file.Size);
        }

        Assert.Contains("pushing 4 files", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"uploaded 4 files, [\d.]+ kB in [\d.]+ s \([\d.]+ MB/s\)", result.Error);
        Assert.Contains("latest", await _server.Artifacts.Store.ListTagsAsync("datasets/fashion-mnist"));
        Assert.All(_server.Artifacts.Users, user => Assert.Equal(CliRun.User, user));
    }

    [Fact]
    public async Task Push_SameFilesAgain_SendsNothingAndPrintsTheExistingVersion()
    {
        var dir = TinyDataset();
        var first = await Run("data", "push", "fashion-mnist", dir);
        var pushesAfterFirst = _server.Artifacts.BlobPushes;

        var again = await Run("data", "push", "fashion-mnist", Path.Combine(dir, "train-images-idx3-ubyte.gz"), Path.Combine(dir, "t10k-images-idx3-ubyte.gz"),
            Path.Combine(dir, "train-labels-idx1-ubyte.gz"), Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(first.OutLines, again.OutLines);
        Assert.Equal(pushesAfterFirst, _server.Artifacts.BlobPushes);
        Assert.Single(_server.Datasets.Versions);
        Assert.Contains("already in the store", again.Error, StringComparison.Ordinal);
        Assert.Contains("already fashion-mnist@1; no new version", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_ChangedFile_MakesVersionTwo()
    {
        var dir = TinyDataset();
        await Run("data", "push", "fashion-mnist", dir);
        TinyMnistDataset.Write(dir, trainCount: 30, testCount: 10, seed: 2);

        var result = await Run("data", "push", "fashion-mnist", dir);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("fashion-mnist@2 sha256:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_JsonOutput_PrintsTheDatasetVersion()
    {
        var result = await Run("data", "push", "fashion-mnist", TinyDataset(), "-o", "json", "--format", "mnist-idx");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("fashion-mnist", json.RootElement.GetProperty("name").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("files").GetArrayLength());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a-")]
    [InlineData("a..b")]
    public async Task Push_BadName_ExitsTwoNamingItAndUploadsNothing(string name)
    {
        var result = await Run("data", "push", name, TinyDataset());

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith($"error: invalid dataset name '{name}'", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, _server.Artifacts.BlobPushes);
        Assert.Empty(_server.Datasets.Created);
    }

    [Fact]
    public async Task Push_MissingPathOrReservedName_ExitsTwo()
    {
        var missing = await Run("data", "push", "fashion-mnist", _temp.Combine("nope"));
        var reserved = _temp.Combine("dataset.json");
        File.WriteAllText(reserved, "{}");
        var refused = await Run("data", "push", "fashion-mnist", reserved);

        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("no such file or directory", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("reserved", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_PrintsOneRowPerVersionWithShortDigestFilesAndCounts()
    {
        _server.Datasets.Add("fashion-mnist", 2, "sha256:" + new string('b', 64), ("a.gz", 1_500_000));
        _server.Datasets.Add("fashion-mnist", 1, "sha256:" + new string('a', 64), ("a.gz", 1_000_000), ("b.gz", 500));
        _server.Datasets.Add("digits", 1, "sha256:" + new string('c', 64), ("d.gz", 10));

        var all = await Run("data", "ls");
        var one = await Run("data", "ls", "fashion-mnist");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(4, all.OutLines.Length);
        Assert.Matches(@"^NAME\s+VERSION\s+DIGEST\s+FILES\s+TRAIN\s+TEST\s+CREATED$", all.OutLines[0]);
        Assert.StartsWith("digits ", all.OutLines[1], StringComparison.Ordinal);
        Assert.Matches(@"^fashion-mnist\s+1\s+sha256:aaaaaaaaaaaa\s+2 \(1\.0 MB\)\s+60000\s+10000\s+\d{4}-", all.OutLines[2]);
        Assert.Matches(@"^fashion-mnist\s+2\s+sha256:bbbbbbbbbbbb\s+", all.OutLines[3]);
        Assert.Equal(3, one.OutLines.Length);
        Assert.All(one.OutLines.Skip(1), line => Assert.StartsWith("fashion-mnist ", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ls_NothingRegistered_SaysSoOnStderr()
    {
        var result = await Run("data", "ls");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("no datasets", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fashion-mnist@1")]
    [InlineData("fashion-mnist")]
    [InlineData("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Show_AnyReference_PrintsDetailsAndEveryFileWithDigestAndSize(string reference)
    {
        _server.Datasets.Add("fashion-mnist", 1, "sha256:" + new string('a', 64), ("train.gz", 26_421_880), ("test.gz", 4_422_102));

        var result = await Run("data", "show", reference);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(reference, Assert.Single(_server.Datasets.References));
        Assert.Contains("dataset:       fashion-mnist@1", result.OutLines);
        Assert.Contains("digest:        sha256:" + new string('a', 64), result.OutLines);
        Assert.Contains("files:         2 (30.8 MB)", result.OutLines);
        Assert.Contains(result.OutLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^train\.gz\s+sha256:f{64}\s+26421880$"));
        Assert.Contains(result.OutLines, l => l.StartsWith("FILE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_Unknown_ExitsThree()
    {
        var result = await Run("data", "show", "nope@4");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("error: dataset nope@4 not found\n", result.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_JsonOutput_PrintsTheDatasetVersion()
    {
        _server.Datasets.Add("fashion-mnist", 1, "sha256:" + new string('a', 64), ("train.gz", 10));

        var result = await Run("data", "show", "fashion-mnist@1", "-o", "json");

        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("10", json.RootElement.GetProperty("files")[0].GetProperty("size").GetString());
    }

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);

    private string TinyDataset()
    {
        var dir = _temp.Combine("fashion");
        TinyMnistDataset.Write(dir, trainCount: 30, testCount: 10);
        return dir;
    }
}
