using MlOps.Cli.Models;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Models;

public sealed class PullModelCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-pull");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void CheckDestination_NewOrEmptyDirectory_IsAccepted()
    {
        var empty = Directory.CreateDirectory(_temp.Combine("empty")).FullName;

        Assert.Equal(_temp.Combine("new"), PullModelCommand.CheckDestination(_temp.Combine("new")));
        Assert.Equal(empty, PullModelCommand.CheckDestination(empty + "/"));
    }

    [Fact]
    public void CheckDestination_EarlierPull_IsAccepted()
    {
        var earlier = Directory.CreateDirectory(_temp.Combine("earlier")).FullName;
        foreach (var name in new[] { "model.onnx", "config.json", "manifest.json" })
        {
            File.WriteAllText(Path.Combine(earlier, name), "x");
        }

        Assert.Equal(earlier, PullModelCommand.CheckDestination(earlier));
    }

    [Fact]
    public void CheckDestination_CurrentDirectoryOrAnAncestor_IsRefused()
    {
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => PullModelCommand.CheckDestination(".")).ExitCode);
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => PullModelCommand.CheckDestination("..")).ExitCode);
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => PullModelCommand.CheckDestination("/")).ExitCode);
    }

    [Fact]
    public void CheckDestination_FileOrForeignContent_IsRefused()
    {
        var file = _temp.Combine("file");
        File.WriteAllText(file, "x");
        var foreign = Directory.CreateDirectory(_temp.Combine("foreign")).FullName;
        File.WriteAllText(Path.Combine(foreign, "model.onnx"), "x");

        Assert.Contains("is a file", Assert.Throws<CliException>(() => PullModelCommand.CheckDestination(file)).Message, StringComparison.Ordinal);
        Assert.Contains("not empty", Assert.Throws<CliException>(() => PullModelCommand.CheckDestination(foreign)).Message, StringComparison.Ordinal);
    }
}
