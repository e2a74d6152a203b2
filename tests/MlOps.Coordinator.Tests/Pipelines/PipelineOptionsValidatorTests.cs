using MlOps.Coordinator.Pipelines;

namespace MlOps.Coordinator.Tests.Pipelines;

public sealed class PipelineOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new PipelineOptionsValidator().Validate(null, new PipelineOptions()).Succeeded);
    }

    [Fact]
    public void Validate_EverythingWrong_EveryErrorAtOnce()
    {
        var result = new PipelineOptionsValidator().Validate(null, new PipelineOptions
        {
            MaxParallelism = 0,
            IngestRoots = ["relative/dir", "/no/such/directory/anywhere"],
            PollInterval = TimeSpan.Zero,
            DeployTimeout = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("Pipelines:MaxParallelism", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Pipelines:IngestRoots:0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Pipelines:IngestRoots:1", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Pipelines:PollInterval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Pipelines:DeployTimeout", StringComparison.Ordinal));
    }
}
