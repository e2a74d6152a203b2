namespace MlOps.Cli.LocalCluster;

/// <summary>
/// The console of <c>mlops up</c>: the children's lines prefixed with <c>[coordinator]</c> / <c>[agent]</c> (stdout
/// to stdout, stderr to stderr) and mlops's own notes, one whole line at a time from any thread.
/// </summary>
internal sealed class PrefixedOutput(TextWriter stdout, TextWriter stderr)
{
    private readonly Lock _lock = new();

    public void ChildLine(string source, string line, bool isError)
    {
        lock (_lock)
        {
            (isError ? stderr : stdout).WriteLine($"[{source}] {line}");
        }
    }

    public void Note(string line)
    {
        lock (_lock)
        {
            stdout.WriteLine(line);
        }
    }

    public void Error(string line)
    {
        lock (_lock)
        {
            stderr.WriteLine(line);
        }
    }
}
