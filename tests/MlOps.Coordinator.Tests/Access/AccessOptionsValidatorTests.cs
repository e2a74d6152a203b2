using Microsoft.Extensions.Configuration;
using MlOps.Coordinator.Access;

namespace MlOps.Coordinator.Tests.Access;

public sealed class AccessOptionsValidatorTests
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
    public void Validate_AuthenticationFitsTheListener(string listen, bool enabled, string? error)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Coordinator:Listen"] = listen }).Build();

        var result = new AccessOptionsValidator(configuration).Validate(null, new AccessOptions { Enabled = enabled });

        if (error is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.Contains(error, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_BadRefreshAndRelativeTokenFile_BothReported()
    {
        var configuration = new ConfigurationBuilder().Build();

        var result = new AccessOptionsValidator(configuration).Validate(null,
            new AccessOptions { CacheRefresh = TimeSpan.Zero, BootstrapTokenFile = "admin.token" });

        Assert.Contains("Coordinator:Auth:CacheRefresh must be between", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Coordinator:Auth:BootstrapTokenFile must be an absolute path", result.FailureMessage, StringComparison.Ordinal);
    }
}
