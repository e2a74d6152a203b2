using System.Diagnostics;

namespace MlOps.Testing;

/// <summary>Runs a program to its end with its output captured: for scripts and tools that tests drive.</summary>
public static class CommandRun
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> (no shell) and returns its exit code, stdout and
    /// stderr. Past <paramref name="timeout"/> the whole process tree is killed and <see cref="OperationCanceledException"/>
    /// is thrown.
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
