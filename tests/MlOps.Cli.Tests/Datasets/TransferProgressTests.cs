using MlOps.Cli.Datasets;
using Microsoft.Extensions.Time.Testing;

namespace MlOps.Cli.Tests.Datasets;

public sealed class TransferProgressTests
{
    [Fact]
    public void Complete_OffTerminal_PrintsOnlyTheSummaryWithRate()
    {
        var clock = new FakeTimeProvider();
        var error = new StringWriter();
        var progress = new TransferProgress(error, terminal: false, clock, totalBytes: 30_000_000);

        progress.Add(10_000_000);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Add(20_000_000);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Complete(files: 4);

        Assert.Equal("uploaded 4 files, 30.0 MB in 2.0 s (15.0 MB/s)" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void Add_OnTerminal_RewritesOneLineAtMostEvery200Milliseconds()
    {
        var clock = new FakeTimeProvider();
        var error = new StringWriter();
        var progress = new TransferProgress(error, terminal: true, clock, totalBytes: 4_000_000);

        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Add(1_000_000);
        progress.Add(1_000_000);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Add(1_000_000);
        progress.Add(1_000_000);
        progress.Complete(files: 1);

        var updates = error.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, updates.Length);
        Assert.Equal("uploading 1.0 MB of 4.0 MB (25%) 1.0 MB/s", updates[0].TrimEnd());
        Assert.Equal("uploading 3.0 MB of 4.0 MB (75%) 1.5 MB/s", updates[1].TrimEnd());
        Assert.Equal("uploading 4.0 MB of 4.0 MB (100%) 2.0 MB/s", updates[2].TrimEnd());
        Assert.Equal("uploaded 1 file, 4.0 MB in 2.0 s (2.0 MB/s)", updates[3].TrimEnd());
    }

    [Theory]
    [InlineData(0, 4, "all 4 files (4.0 MB) were already in the store")]
    [InlineData(0, 1, "the file (4.0 MB) was already in the store")]
    [InlineData(1_000_000, 4, "uploaded 1.0 MB of 4.0 MB in 1.0 s (1.0 MB/s); the rest was already in the store")]
    public void Complete_SomeFilesAlreadyStored_SaysSo(long uploaded, int files, string expected)
    {
        var clock = new FakeTimeProvider();
        var error = new StringWriter();
        var progress = new TransferProgress(error, terminal: false, clock, totalBytes: 4_000_000);

        progress.Add(uploaded);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Complete(files);

        Assert.Equal(expected + Environment.NewLine, error.ToString());
    }
}
