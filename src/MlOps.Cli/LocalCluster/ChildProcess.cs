using System.ComponentModel;
using System.Diagnostics;

namespace MlOps.Cli.LocalCluster;

/// <summary>
/// A child of <c>mlops up</c>: its output streamed line by line with a prefix, its exit observed, and a stop
/// that sends SIGTERM, waits a grace period and then kills.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly PrefixedOutput _output;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(string name, Process process, PrefixedOutput output)
    {
        Name = name;
        _process = process;
        _output = output;
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited => _exited.Task;

    public static ChildProcess Start(string name, ChildCommand command, PrefixedOutput output)
    {
        var startInfo = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(output, name, e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Forward(output, name, e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new CliException(ExitCodes.Error, $"cannot start the {name} ({command.FileName}): {ex.Message}", ex);
        }

        // The children never read the terminal; an immediate EOF keeps them from competing with the shell for it.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildProcess(name, process, output);
        _ = child.ObserveExitAsync();
        return child;
    }

    /// <summary>SIGTERM, then <paramref name="grace"/> to exit (cut short by <paramref name="force"/>), then kill.</summary>
    public async Task StopAsync(TimeSpan grace, TimeProvider time, CancellationToken force)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        if (PosixSignals.TryTerminate(Id))
        {
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(force);
            var graceOver = Task.Delay(grace, time, waitCancel.Token);
            if (await Task.WhenAny(Exited, graceOver) == Exited)
            {
                await waitCancel.CancelAsync();
                return;
            }

            _output.Error(force.IsCancellationRequested
                ? $"killing the {Name} (pid {Id})"
                : $"the {Name} (pid {Id}) did not stop within {grace.TotalSeconds:0} s; killing it");
        }

        Kill();
        await Exited;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exited.IsCompleted)
        {
            Kill();
            await Exited;
        }

        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private async Task ObserveExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync();
            _exited.TrySetResult(_process.ExitCode);
        }
        catch (Exception ex)
        {
            _exited.TrySetException(ex);
        }
    }

    private static void Forward(PrefixedOutput output, string name, string? line, bool isError)
    {
        if (line is not null)
        {
            output.ChildLine(name, line, isError);
        }
    }
}
