using MlOps.Cli.Jobs;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Jobs;

public sealed class JobStateNamesTests
{
    [Theory]
    [InlineData("running", JobState.Running)]
    [InlineData("SUCCEEDED", JobState.Succeeded)]
    [InlineData("job_state_cancelling", JobState.Cancelling)]
    [InlineData(" queued ", JobState.Queued)]
    public void TryParse_KnownNames_AnyCaseWithOrWithoutPrefix(string text, JobState expected)
    {
        Assert.True(JobStateNames.TryParse(text, out var state));
        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData("unspecified")]
    [InlineData("3")]
    [InlineData("run")]
    public void TryParse_UnknownOrNumeric_Fails(string text)
    {
        Assert.False(JobStateNames.TryParse(text, out _));
    }
}
