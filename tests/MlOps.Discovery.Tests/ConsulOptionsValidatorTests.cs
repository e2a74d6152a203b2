using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MlOps.Discovery.Tests;

public sealed class ConsulOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new ConsulOptionsValidator().Validate(null, new ConsulOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_EveryFieldWrong_ReportsEveryErrorAtOnce()
    {
        var options = new ConsulOptions
        {
            Address = "consul:8500",
            Token = "has space",
            Datacenter = "dc 1",
            RequestTimeout = TimeSpan.Zero,
            Retry = new ConsulRetryOptions { MaxAttempts = 0, InitialDelay = TimeSpan.FromSeconds(-1), MaxDelay = TimeSpan.FromSeconds(-2) },
        };

        var errors = ConsulOptionsValidator.Errors(options);

        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Consul:Address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Consul:Token", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Consul:Datacenter", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Consul:RequestTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Consul:Retry:MaxAttempts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Consul:Retry:InitialDelay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Consul:Retry:MaxDelay", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("has space", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8500")]
    [InlineData("https://consul.internal/")]
    [InlineData("http://localhost:8500/consul-proxy")]
    public void Validate_HttpAddresses_Succeeds(string address)
    {
        Assert.Empty(ConsulOptionsValidator.Errors(new ConsulOptions { Address = address }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://host")]
    [InlineData("http://user:secret@host:8500")]
    [InlineData("http://host:8500/?token=x")]
    public void Validate_BadAddress_Fails(string address)
    {
        Assert.Single(ConsulOptionsValidator.Errors(new ConsulOptions { Address = address }));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsListingEveryError()
    {
        var options = new ConsulOptions { Address = "nope", RequestTimeout = TimeSpan.FromHours(1) };

        var error = Assert.Throws<OptionsValidationException>(() => new ConsulClient(options));

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void ToString_WithToken_HidesToken()
    {
        var text = new ConsulOptions { Token = "s3cr3t-token" }.ToString();

        Assert.DoesNotContain("s3cr3t-token", text, StringComparison.Ordinal);
        Assert.Contains("Token = ***", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddConsulClient_Configuration_BindsNestedSettings()
    {
        using var provider = Services(new()
        {
            ["Consul:Address"] = "http://10.0.0.5:8500",
            ["Consul:Token"] = "abc",
            ["Consul:Datacenter"] = "lab-2",
            ["Consul:RequestTimeout"] = "00:00:03",
            ["Consul:Retry:MaxAttempts"] = "6",
            ["Consul:Retry:MaxDelay"] = "00:00:10",
        }).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal("http://10.0.0.5:8500", options.Address);
        Assert.Equal("abc", options.Token);
        Assert.Equal("lab-2", options.Datacenter);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RequestTimeout);
        Assert.Equal(6, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Retry.MaxDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Retry.InitialDelay);
        Assert.IsType<ConsulClient>(provider.GetRequiredService<IConsulClient>());
    }

    [Fact]
    public async Task AddConsulClient_InvalidConfiguration_StopsHostAtStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = "not a url",
            ["Consul:Retry:MaxAttempts"] = "0",
        });
        builder.Services.AddConsulClient();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(2, error.Failures.Count());
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddConsulClient();
        return services;
    }
}
