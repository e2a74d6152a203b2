using MlOps.Agent.Jobs;

namespace MlOps.Agent.Tests.Jobs;

public sealed class LinuxProcessesTests
{
    [Fact]
    public void Parse_CommandNameWithSpacesAndParentheses_CountsFieldsAfterIt()
    {
        const string Stat = "4242 (py (worker) 1) S 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 4 0 987654 1000000 200";

        var stat = LinuxProcesses.Parse(Stat);

        Assert.Equal(new ProcessStat(4242, 'S', 17, 987654), stat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (x) S 1 2 3")]
    [InlineData("12 (x) S one 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")]
    public void Parse_TruncatedOrGarbled_ReturnsNull(string stat) => Assert.Null(LinuxProcesses.Parse(stat));

    [Fact]
    public void Read_ThisProcess_MatchesItsPidAndParent()
    {
        var stat = LinuxProcesses.Read(Environment.ProcessId);

        Assert.NotNull(stat);
        Assert.Equal(Environment.ProcessId, stat.Value.Pid);
        Assert.True(stat.Value.StartTicks > 0);
        Assert.True(LinuxProcesses.IsRunning(Environment.ProcessId, stat.Value.StartTicks));
        Assert.False(LinuxProcesses.IsRunning(Environment.ProcessId, stat.Value.StartTicks + 1));
    }
}
