using Microsoft.ML.OnnxRuntime;
using MlOps.LoadTest.InProcess;

namespace MlOps.LoadTest.Tests.InProcess;

public class InProcessSettingsTests
{
    [Fact]
    public void Defaults_AreTheServers()
    {
        var settings = new InProcessSettings();

        // src/MlOps.Serving: OnnxModelVersionOptions and OnnxSessionFactory.Options.
        Assert.Equal(Environment.ProcessorCount, settings.ResolvedIntraOpThreads);
        Assert.Equal(1, settings.InterOpThreads);
        Assert.False(settings.AllowSpinning);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, settings.GraphOptimizationLevel);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.WarmUp);
        Assert.Empty(settings.Validate());
    }

    [Fact]
    public void CreateSessionOptions_Configured_CarriesTheSettings()
    {
        using var options = new InProcessSettings { IntraOpThreads = 3, AllowSpinning = false }.CreateSessionOptions();

        Assert.Equal(3, options.IntraOpNumThreads);
        Assert.Equal(1, options.InterOpNumThreads);
        Assert.Equal(ExecutionMode.ORT_SEQUENTIAL, options.ExecutionMode);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, options.GraphOptimizationLevel);
    }
}
