using MlOps.Cli.Client;

namespace MlOps.Cli.Tests.Client;

public sealed class MlOpsClientTests
{
    [Theory]
    [InlineData("http://127.0.0.1:7070", "http://127.0.0.1:7070")]
    [InlineData("http://head:7070/", "http://head:7070")]
    [InlineData("head:7070", "http://head:7070")]
    [InlineData(" https://head.example.org ", "https://head.example.org")]
    public void NormalizeAddress_Valid_AddsSchemeAndTrims(string address, string expected)
    {
        Assert.Equal(expected, MlOpsClient.NormalizeAddress(address));
    }

    [Theory]
    [InlineData("ftp://head:21")]
    [InlineData("http://")]
    [InlineData("")]
    public void NormalizeAddress_Invalid_ThrowsUsageError(string address)
    {
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => MlOpsClient.NormalizeAddress(address)).ExitCode);
    }

    [Fact]
    public void HeaderValue_NonAsciiUser_IsPercentEncoded()
    {
        Assert.Equal("alice", MlOpsClient.HeaderValue("alice"));
        Assert.Equal("j%C3%BCrgen", MlOpsClient.HeaderValue("jürgen"));
    }
}
