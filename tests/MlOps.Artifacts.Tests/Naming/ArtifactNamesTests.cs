using MlOps.Artifacts.Naming;

namespace MlOps.Artifacts.Tests.Naming;

public sealed class ArtifactNamesTests
{
    [Theory]
    [InlineData("models")]
    [InlineData("models/fashion-mlp")]
    [InlineData("datasets/fashion_mnist/v1.2")]
    [InlineData("a__b/c--d/e.f")]
    public void ValidateRepository_ValidName_ReturnsIt(string name) => Assert.Equal(name, ArtifactNames.ValidateRepository(name));

    [Theory]
    [InlineData("../x", "'..'")]
    [InlineData("Models/X", "lowercase")]
    [InlineData("a//b", "empty path component")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("a/./b", "'.'")]
    [InlineData("a-", "lowercase")]
    [InlineData("a b", "lowercase")]
    [InlineData("a\nb", "lowercase")]
    [InlineData("", "empty")]
    public void ValidateRepository_InvalidName_ThrowsArgumentExceptionWithReason(string name, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactNames.ValidateRepository(name));

        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Equal("repository", error.ParamName);
    }

    [Fact]
    public void ValidateRepository_TooLong_Throws() =>
        Assert.Throws<ArgumentException>(() => ArtifactNames.ValidateRepository(new string('a', 256)));

    [Theory]
    [InlineData("v1")]
    [InlineData("latest")]
    [InlineData("_x.Y-1")]
    public void ValidateTag_ValidTag_ReturnsIt(string tag) => Assert.Equal(tag, ArtifactNames.ValidateTag(tag));

    [Theory]
    [InlineData("")]
    [InlineData(".v1")]
    [InlineData("-v1")]
    [InlineData("../v1")]
    [InlineData("v1\n")]
    public void ValidateTag_InvalidTag_Throws(string tag) => Assert.Throws<ArgumentException>(() => ArtifactNames.ValidateTag(tag));

    [Fact]
    public void ValidateTag_129Characters_Throws() => Assert.Throws<ArgumentException>(() => ArtifactNames.ValidateTag(new string('a', 129)));

    [Fact]
    public void ValidateReference_DigestOrTag_ReportsWhichItIs()
    {
        Assert.True(ArtifactNames.ValidateReference("sha256:" + new string('0', 64)));
        Assert.False(ArtifactNames.ValidateReference("v1"));
    }

    [Theory]
    [InlineData("sha512:abc")]
    [InlineData("sha256:ABCDEF")]
    [InlineData("sha256:")]
    public void ValidateReference_BadDigest_Throws(string reference) =>
        Assert.Throws<ArgumentException>(() => ArtifactNames.ValidateReference(reference));
}
