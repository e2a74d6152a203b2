using MlOps.Coordinator.Configuration;
using MlOps.Core.Datasets;

namespace MlOps.Coordinator.Tests.Configuration;

public sealed class CoordinatorOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryOne()
    {
        var options = new CoordinatorOptions
        {
            Listen = "https://127.0.0.1:7070",
            DataDirectory = "relative/dir",
            LeaseDuration = TimeSpan.FromSeconds(4),
            HeartbeatInterval = TimeSpan.FromSeconds(3),
            DefaultMaxAttempts = 0,
            SchedulerInterval = TimeSpan.Zero,
            MaxEventsPerWatchBatch = 0,
        };

        var result = new CoordinatorOptionsValidator().Validate(null, options);

        Assert.False(result.Succeeded);
        var failures = result.Failures!.ToList();
        Assert.Equal(6, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Coordinator:Listen", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:DataDirectory", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:HeartbeatInterval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:DefaultMaxAttempts", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:SchedulerInterval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:MaxEventsPerWatchBatch", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7070", "127.0.0.1", 7070)]
    [InlineData("http://localhost:0", "localhost", 0)]
    [InlineData("http://*:7070", "*", 7070)]
    [InlineData("http://[::1]:5000/", "::1", 5000)]
    [InlineData("http://0.0.0.0:80", "0.0.0.0", 80)]
    [InlineData("https://*:7070", "*", 7070)]
    [InlineData("https://10.0.0.5:7443", "10.0.0.5", 7443)]
    [InlineData("HTTPS://127.0.0.1:0", "127.0.0.1", 0)]
    public void TryParse_ValidListen_HostAndPort(string value, string host, int port)
    {
        Assert.True(ListenAddress.TryParse(value, out var address, out var error), error);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(value.StartsWith("https", StringComparison.OrdinalIgnoreCase), address.IsHttps);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7070", true)]
    [InlineData("http://127.8.9.10:7070", true)]
    [InlineData("http://localhost:7070", true)]
    [InlineData("http://[::1]:7070", true)]
    [InlineData("http://[::ffff:127.0.0.1]:7070", true)]
    [InlineData("http://*:7070", false)]
    [InlineData("http://0.0.0.0:7070", false)]
    [InlineData("http://[::]:7070", false)]
    [InlineData("http://10.0.0.5:7070", false)]
    [InlineData("https://192.168.1.2:7070", false)]
    public void IsLoopback_ListenHost_OnlyThisMachine(string value, bool loopback)
    {
        Assert.True(ListenAddress.TryParse(value, out var address, out var error), error);

        Assert.Equal(loopback, address.IsLoopback);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:7070")]
    [InlineData("ftp://127.0.0.1:7070")]
    [InlineData("https://127.0.0.1")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://example.org:7070")]
    [InlineData("http://127.0.0.1:7070/grpc")]
    public void TryParse_InvalidListen_Error(string value)
    {
        Assert.False(ListenAddress.TryParse(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void DatasetValidator_BadEntries_ReportsEveryOne()
    {
        var options = new DatasetCatalogOptions();
        options.Entries["a"] = new DatasetEntry { Path = "", Format = "csv" };
        options.Entries["b"] = new DatasetEntry { Path = "relative", TrainCount = 0 };

        var result = new DatasetCatalogOptionsValidator().Validate(null, options);

        Assert.Equal(4, result.Failures!.Count());
    }

    [Fact]
    public void AddDefaults_ThenOverride_DoesNotChangeSharedDefaults()
    {
        var options = new DatasetCatalogOptions();
        options.AddDefaults();

        options.Entries["fashion-mnist"].Path = "/elsewhere";

        Assert.Equal("/usr/share/datasets/fashion-mnist", DatasetCatalog.Defaults["fashion-mnist"].Path);
    }

    [Fact]
    public void DatabasePath_DataDirectory_CoordinatorDbAndLogsInside()
    {
        var options = new CoordinatorOptions { DataDirectory = "/var/lib/mlops" };

        Assert.Equal("/var/lib/mlops/coordinator.db", options.DatabasePath);
        Assert.Equal("/var/lib/mlops/logs", options.LogDirectory);
        Assert.EndsWith("mlops/coordinator", CoordinatorOptions.DefaultDataDirectory(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://127.0.0.1:9464")]
    [InlineData("http://*:9464")]
    public void Validate_MetricsListenEmptyOrAddress_Succeeds(string metricsListen)
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { MetricsListen = metricsListen });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("9464", "not an absolute URL")]
    [InlineData("https://127.0.0.1:9464", "scheme 'https'")]
    [InlineData("http://127.0.0.1:9464/metrics", "has a path")]
    [InlineData("http://127.0.0.1:7070", "another port than Listen")]
    public void Validate_BadMetricsListen_ClearError(string metricsListen, string expected)
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { MetricsListen = metricsListen });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Coordinator:MetricsListen", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }
}
