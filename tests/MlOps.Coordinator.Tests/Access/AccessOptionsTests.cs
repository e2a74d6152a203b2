using MlOps.Coordinator.Access;
using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.Tests.Access;

/// <summary><c>Coordinator:Auth</c>, checked with the rest of the coordinator's options: authentication needs TLS, and a
/// listener beyond loopback needs authentication.</summary>
public sealed class AccessOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:7070", false, null)]
    [InlineData("http://localhost:7070", false, null)]
    [InlineData("https://127.0.0.1:7070", false, null)]
    [InlineData("https://127.0.0.1:7070", true, null)]
    [InlineData("https://*:7070", true, null)]
    [InlineData("https://*:7070", false, "Coordinator:Auth:Enabled must be true when Coordinator:Listen ('https://*:7070') reaches beyond this machine")]
    [InlineData("https://10.0.0.5:7070", false, "Coordinator:Auth:Enabled must be true")]
    [InlineData("http://127.0.0.1:7070", true, "Coordinator:Auth:Enabled needs TLS")]
    public void Problems_AuthenticationFitsTheListener(string listen, bool enabled, string? error)
    {
        Assert.True(ListenAddress.TryParse(listen, out var address, out _));

        var problems = new AccessOptions { Enabled = enabled }.Problems(address, listen).ToList();

        if (error is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.StartsWith(error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Problems_BadRefreshAndRelativeTokenFile_BothReported()
    {
        var problems = new AccessOptions { CacheRefresh = TimeSpan.Zero, BootstrapTokenFile = "admin.token" }.Problems(null, "").ToList();

        Assert.Contains(problems, p => p.StartsWith("Coordinator:Auth:CacheRefresh must be between", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Coordinator:Auth:BootstrapTokenFile must be an absolute path", StringComparison.Ordinal));
    }

    [Fact]
    public void CoordinatorValidator_ReportsAuthProblemsWithTheOthers()
    {
        var result = new CoordinatorOptionsValidator().Validate(null,
            new CoordinatorOptions { Listen = "http://127.0.0.1:7070", Auth = new AccessOptions { Enabled = true, CacheRefresh = TimeSpan.Zero } });

        Assert.Contains(result.Failures!, f => f.StartsWith("Coordinator:Auth:Enabled needs TLS", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Coordinator:Auth:CacheRefresh", StringComparison.Ordinal));
    }
}
