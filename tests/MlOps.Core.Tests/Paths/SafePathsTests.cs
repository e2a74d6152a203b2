using MlOps.Core.Paths;
using MlOps.Testing;

namespace MlOps.Core.Tests.Paths;

public sealed class SafePathsTests : IDisposable
{
    private readonly TempDirectory _dir = new("mlops-paths");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/etc/passwd")]
    [InlineData("a/b")]
    [InlineData("..\\..\\windows")]
    [InlineData("job\0x")]
    [InlineData("line\nbreak")]
    [InlineData("")]
    public void ComponentProblem_TraversalAbsoluteSeparatorNulOrControl_Refused(string name)
    {
        Assert.NotNull(SafePaths.ComponentProblem(name));
    }

    [Theory]
    [InlineData("j-0000000000000001")]
    [InlineData("%2e%2e")] // percent-encoding is not decoded on disk: a plain, harmless name
    [InlineData("...")]
    [InlineData("model.onnx")]
    public void ComponentProblem_PlainNames_Accepted(string name)
    {
        Assert.Null(SafePaths.ComponentProblem(name));
    }

    [Fact]
    public void ComponentProblem_LongerThanNameMax_Refused()
    {
        Assert.Contains("longer than 255", SafePaths.ComponentProblem(new string('a', 256)), StringComparison.Ordinal);
    }

    [Fact]
    public void RealPath_LinkedDirectory_ResolvesToTheTarget()
    {
        var root = Directory.CreateDirectory(_dir.Combine("root")).FullName;
        var outside = Directory.CreateDirectory(_dir.Combine("outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), outside);

        var real = SafePaths.RealPath(Path.Combine(root, "data", "file.txt"));

        Assert.Equal(Path.Combine(outside, "file.txt"), real);
        Assert.False(SafePaths.IsUnder(real, SafePaths.RealPath(root)));
    }

    [Fact]
    public void RealPath_RelativeLinkAndDotDot_ResolvedLikeTheKernel()
    {
        var root = Directory.CreateDirectory(_dir.Combine("root")).FullName;
        File.WriteAllText(_dir.Combine("secret"), "x");
        File.CreateSymbolicLink(Path.Combine(root, "innocent"), "../secret");

        Assert.Equal(_dir.Combine("secret"), SafePaths.RealPath(Path.Combine(root, "innocent")));
        Assert.Equal(_dir.Combine("secret"), SafePaths.RealPath(Path.Combine(root, "..", "secret")));
    }

    [Fact]
    public void RealPath_LinkLoop_IOExceptionNotAHang()
    {
        File.CreateSymbolicLink(_dir.Combine("a"), _dir.Combine("b"));
        File.CreateSymbolicLink(_dir.Combine("b"), _dir.Combine("a"));

        Assert.Throws<IOException>(() => SafePaths.RealPath(_dir.Combine("a")));
    }

    [Fact]
    public void RealPath_Nul_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => SafePaths.RealPath(_dir.Combine("a\0b")));
    }

    [Theory]
    [InlineData("/data/root", "/data/root", true)]
    [InlineData("/data/root/x", "/data/root", true)]
    [InlineData("/data/root/x", "/data/root/", true)]
    [InlineData("/data/rootless", "/data/root", false)]
    [InlineData("/data", "/data/root", false)]
    [InlineData("/anything", "/", true)]
    public void IsUnder_PrefixOfAComponentIsNotEnough(string path, string root, bool expected)
    {
        Assert.Equal(expected, SafePaths.IsUnder(path, root));
    }
}
