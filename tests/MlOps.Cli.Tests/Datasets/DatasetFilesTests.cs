using MlOps.Cli.Datasets;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Datasets;

public sealed class DatasetFilesTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-files");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Collect_Directory_TakesItsRegularFilesSortedByNameWithoutSubdirectoriesOrHiddenFiles()
    {
        var dir = Directory.CreateDirectory(_temp.Combine("data")).FullName;
        File.WriteAllText(Path.Combine(dir, "b.gz"), "bb");
        File.WriteAllText(Path.Combine(dir, "a.gz"), "a");
        File.WriteAllText(Path.Combine(dir, ".hidden"), "x");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "sub", "c.gz"), "c");

        var files = DatasetFiles.Collect([dir]);

        Assert.Equal([("a.gz", 1L), ("b.gz", 2L)], files.Select(f => (f.Name, f.Size)));
        Assert.Equal(Path.Combine(dir, "a.gz"), files[0].Path);
    }

    [Fact]
    public void Collect_FilesAndDirectory_MergesSortedByName()
    {
        var dir = Directory.CreateDirectory(_temp.Combine("data")).FullName;
        File.WriteAllText(Path.Combine(dir, "m.gz"), "m");
        var single = _temp.Combine("z.gz");
        File.WriteAllText(single, "z");
        var first = _temp.Combine("a.gz");
        File.WriteAllText(first, "a");

        var files = DatasetFiles.Collect([single, dir, first]);

        Assert.Equal(["a.gz", "m.gz", "z.gz"], files.Select(f => f.Name));
    }

    [Fact]
    public void Collect_SameNameTwice_IsUsageErrorNamingBoth()
    {
        var one = Directory.CreateDirectory(_temp.Combine("one")).FullName;
        var two = Directory.CreateDirectory(_temp.Combine("two")).FullName;
        File.WriteAllText(Path.Combine(one, "x.gz"), "1");
        File.WriteAllText(Path.Combine(two, "x.gz"), "2");

        var error = Assert.Throws<CliException>(() => DatasetFiles.Collect([one, two]));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains("x.gz", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(two, "x.gz"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_MissingPathOrEmptyDirectory_IsUsageErrorNamingIt()
    {
        var missing = _temp.Combine("nope");
        var empty = Directory.CreateDirectory(_temp.Combine("empty")).FullName;

        Assert.Contains(missing, Assert.Throws<CliException>(() => DatasetFiles.Collect([missing])).Message, StringComparison.Ordinal);
        Assert.Contains(empty, Assert.Throws<CliException>(() => DatasetFiles.Collect([empty])).Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => DatasetFiles.Collect([])).ExitCode);
    }
}
