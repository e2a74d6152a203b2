using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace MlOps.Testing;

/// <summary>
/// A real service process (coordinator, agent, CLI) started from its built assembly with the same dotnet
/// host that runs the tests. Output is kept for assertions and for diagnosing failures.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join('\n', _lines);

    public static ServiceProcess Start(string name, string assemblyPath, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"{name}: {assemblyPath} is not built; build the solution first", assemblyPath);
        }

        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var service = new ServiceProcess(name, process);
        process.OutputDataReceived += (_, e) => service.Add(e.Data);
        process.ErrorDataReceived += (_, e) => service.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The dotnet host running this test process (the tests themselves run under it).</summary>
    public static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }

    /// <summary>Waits until a line containing <paramref name="text"/> appears; fails with the output so far.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var match = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before printing '{text}'. Output:\n{Output}");
            }

            try
            {
                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name} did not print '{text}' within {timeout}. Output:\n{Output}");
            }
        }
    }

    /// <summary>SIGTERM, as systemd or Ctrl-C would stop it; waits for the exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new TimeoutException($"{Name} did not stop within {timeout} of SIGTERM. Output:\n{Output}");
            }
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies at once without cleaning up, as in a node crash.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 9);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGSTOP: the process freezes without noticing, its sockets left open (no heartbeats, no Consul TTL
    /// passes), as a hung node. Its child processes run on.</summary>
    public void Pause()
    {
        if (Kill(_process.Id, 19) != 0)
        {
            throw new InvalidOperationException($"SIGSTOP to {this} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>SIGCONT: a paused process runs on.</summary>
    public void Resume() => _ = Kill(_process.Id, 18);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        _newLine.Release();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public override string ToString() => new StringBuilder().Append(Name).Append(" (pid ").Append(Pid).Append(')').ToString();
}
