using Microsoft.Extensions.Configuration;
using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.Tests.Configuration;

/// <summary>The <c>Scheduling:Preemption*</c> keys: bound into the fair-share settings and checked at start-up.</summary>
public sealed class PreemptionOptionsTests
{
    [Fact]
    public void FairShare_Defaults_PreemptionOffTwoMinutesSixteenPerPass()
    {
        var settings = new SchedulingOptions().FairShare();

        Assert.False(settings.Preemption);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.MinRunTimeBeforePreemption);
        Assert.Equal(16, settings.MaxPreemptionsPerPass);
        Assert.Equal("fair-share/v2", new SchedulingOptions().CreatePolicy().Name);
    }

    [Fact]
    public void FairShare_BoundFromConfiguration_CarriesThePreemptionKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scheduling:Preemption"] = "true",
            ["Scheduling:MinRunTimeBeforePreemption"] = "00:05:00",
            ["Scheduling:MaxPreemptionsPerPass"] = "4",
        }).Build();

        var settings = configuration.GetSection(SchedulingOptions.SectionName).Get<SchedulingOptions>()!.FairShare();

        Assert.True(settings.Preemption);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.MinRunTimeBeforePreemption);
        Assert.Equal(4, settings.MaxPreemptionsPerPass);
    }

    [Fact]
    public void Validate_BadPreemptionSettings_EachNamedAtOnce()
    {
        var options = new SchedulingOptions
        {
            Policy = "best-fit",
            Preemption = true,
            MinRunTimeBeforePreemption = TimeSpan.FromSeconds(-1),
            MaxPreemptionsPerPass = 0,
        };

        var result = new SchedulingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Scheduling:Preemption needs Scheduling:Policy fair-share", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Scheduling:MinRunTimeBeforePreemption ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Scheduling:MaxPreemptionsPerPass ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PreemptionWithFairShare_Valid()
    {
        var result = new SchedulingOptionsValidator().Validate(null, new SchedulingOptions { Preemption = true, MinRunTimeBeforePreemption = TimeSpan.Zero });

        Assert.True(result.Succeeded);
    }
}
