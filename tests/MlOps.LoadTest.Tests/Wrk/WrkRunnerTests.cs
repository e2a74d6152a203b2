using MlOps.LoadTest.Wrk;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Wrk;

public class WrkRunnerTests
{
    [Fact]
    public void Script_ReadsTheBodyFromTheVariableAndPostsJson()
    {
        Assert.Contains($"os.getenv(\"{WrkRunner.BodyVariable}\")", WrkRunner.Script);
        Assert.Contains("wrk.method = \"POST\"", WrkRunner.Script);
        Assert.Contains("wrk.headers[\"Content-Type\"] = \"application/json\"", WrkRunner.Script);
    }

    [Fact]
    public void Locate_NotOnPath_ThrowsSayingHowToInstall()
    {
        using var empty = new TempDirectory("mlops-wrk-path");

        var error = Assert.Throws<LoadTestException>(() => WrkRunner.Locate(empty.Path));

        Assert.Contains("apt-get install wrk", error.Message);
    }

    [Fact]
    public void FindOnPath_SecondDirectoryHasIt_ReturnsItsPath()
    {
        using var empty = new TempDirectory("mlops-wrk-path");
        using var bin = new TempDirectory("mlops-wrk-path");
        File.WriteAllText(bin.Combine("wrk"), "#!/bin/sh\n");

        var found = WrkRunner.FindOnPath($"{empty.Path}{Path.PathSeparator}{bin.Path}");

        Assert.Equal(bin.Combine("wrk"), found);
    }

    [Fact]
    public void FindOnPath_NoPath_ReturnsNull()
    {
        Assert.Null(WrkRunner.FindOnPath(null));
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(1000, 1)]
    [InlineData(1500, 2)]
    [InlineData(10_000, 10)]
    public void Seconds_Duration_RoundsUpToWholeSecondsAtLeastOne(int milliseconds, long expected)
    {
        Assert.Equal(expected, WrkRunner.Seconds(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public async Task RunAsync_FewerConnectionsThanThreads_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            WrkRunner.RunAsync(new Uri("http://127.0.0.1:1/v2/models/m/infer"), [], connections: 1, threads: 2, TimeSpan.FromSeconds(1), default));
    }

    [Fact]
    public async Task RunAsync_RelativeUri_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            WrkRunner.RunAsync(new Uri("/v2/models/m/infer", UriKind.Relative), [], 1, 1, TimeSpan.FromSeconds(1), default));
    }

}
