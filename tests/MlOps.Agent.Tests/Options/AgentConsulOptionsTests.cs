using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Discovery;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Options;

public sealed class AgentConsulOptionsTests
{
    [Fact]
    public void Validate_ConsulOff_ItsSettingsAreNotChecked()
    {
        var options = Valid();
        options.Consul = new AgentConsulOptions { PassInterval = TimeSpan.Zero, DeregisterCriticalAfter = TimeSpan.Zero };

        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_ConsulOnWithBadIntervals_ListsEveryOne()
    {
        var options = Valid();
        options.Consul = new AgentConsulOptions
        {
            Address = "http://127.0.0.1:8500",
            PassInterval = TimeSpan.FromMilliseconds(10),
            DeregisterCriticalAfter = TimeSpan.FromSeconds(30),
        };

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Agent:Consul:PassInterval", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Agent:Consul:DeregisterCriticalAfter", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckTtl_IsThreePassIntervals()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), new AgentConsulOptions().CheckTtl);
        Assert.Equal(TimeSpan.FromSeconds(1.5), new AgentConsulOptions { PassInterval = TimeSpan.FromMilliseconds(500) }.CheckTtl);
    }

    [Fact]
    public void AddAgent_NoConsulAddress_NoConsulClient()
    {
        using var directory = new TempDirectory();
        using var host = Build(directory, []);

        Assert.Null(host.Services.GetService<IConsulClient>());
    }

    [Fact]
    public async Task AddAgent_BadConsulClientSettings_StopsAtStartListingEveryErrorUnderTheAgentSection()
    {
        using var directory = new TempDirectory();
        using var host = Build(directory, ["--Agent:Consul:Address=ftp://consul", "--Agent:Consul:Token=has space"]);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        var messages = error is AggregateException all ? string.Join('\n', all.InnerExceptions.Select(e => e.Message)) : error.Message;
        Assert.Contains("Agent:Consul:Address", messages);
        Assert.Contains("Agent:Consul:Token", messages);
        Assert.DoesNotContain("has space", messages);
    }

    [Fact]
    public void AddAgent_ConsulAddressAndToken_BindsTheClientFromTheAgentSection()
    {
        using var directory = new TempDirectory();
        using var host = Build(directory, ["--Agent:Consul:Address=http://10.1.2.3:8500", "--Agent:Consul:Token=secret-token"]);

        var consul = host.Services.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal("http://10.1.2.3:8500", consul.Address);
        Assert.Equal("secret-token", consul.Token);
        Assert.NotNull(host.Services.GetService<IConsulClient>());
    }

    private static AgentOptions Valid()
    {
        var options = new AgentOptions { Id = "a1", DataDirectory = "/tmp/a1" };
        return options;
    }

    private static IHost Build(TempDirectory directory, string[] args)
    {
        var builder = Host.CreateApplicationBuilder([$"--Agent:DataDirectory={directory.Path}", "--Agent:Id=a1", .. args]);
        builder.AddAgent();
        return builder.Build();
    }
}
