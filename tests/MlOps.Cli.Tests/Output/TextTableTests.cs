using MlOps.Cli.Output;

namespace MlOps.Cli.Tests.Output;

public sealed class TextTableTests
{
    [Fact]
    public void Write_NotATerminal_AlignsColumnsUnderAnUpperCaseHeader()
    {
        var table = new TextTable("id", "state", "note");
        table.AddRow("job-1", "RUNNING", "x");
        table.AddRow("j2", "SUCCEEDED", "");
        var output = new StringWriter();

        table.Write(output, terminal: false);

        Assert.Equal(
            ["ID     STATE      NOTE", "job-1  RUNNING    x", "j2     SUCCEEDED"],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Write_Terminal_DrawsASpectreTableWithEveryCell()
    {
        var table = new TextTable("id", "state");
        table.AddRow("job-1", "FAILED");
        var output = new StringWriter();

        table.Write(output, terminal: true);

        Assert.Contains("job-1", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("FAILED", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("╭", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddRow_WrongCellCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TextTable("a", "b").AddRow("only-one"));
    }
}
