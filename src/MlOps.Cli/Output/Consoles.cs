using Spectre.Console;

namespace MlOps.Cli.Output;

/// <summary>Spectre consoles over a given writer, so that output stays testable and redirectable.</summary>
internal static class Consoles
{
    public static IAnsiConsole Create(TextWriter writer, bool terminal) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
    });
}
