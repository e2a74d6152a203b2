using System.Diagnostics;
using System.Text;
using MlOps.LoadTest.Results;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Running;

/// <summary>
/// Runs a scenario action (<c>/bin/sh -c RUN</c>) at its time in the measured window and records when it started
/// and ended, its exit code and the tail of its output, so a report can show a rollout against the latency it caused.
/// </summary>
internal static class ActionRunner
{
    private const int OutputTail = 4000;

    public static async Task<ScenarioEvent> RunAsync(ScenarioAction action, long windowStart, CancellationToken cancellationToken)
    {
        var label = action.Label ?? action.Run;
        try
        {
            var due = windowStart + LoadRunner.Ticks(action.At);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            }

            var started = Seconds(windowStart);
            var start = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(action.Run);
            using var process = Process.Start(start) ?? throw new LoadTestException($"could not start '{action.Run}'");
            var output = new StringBuilder();
            void Append(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (output)
                {
                    output.AppendLine(line);
                    if (output.Length > 2 * OutputTail)
                    {
                        output.Remove(0, output.Length - OutputTail);
                    }
                }
            }

            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var text = output.ToString();
            return new ScenarioEvent(label, started, Seconds(windowStart), process.ExitCode,
                text.Length > OutputTail ? text[^OutputTail..] : text);
        }
        catch (OperationCanceledException)
        {
            return new ScenarioEvent(label, Seconds(windowStart), null, null, "cancelled");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or LoadTestException)
        {
            return new ScenarioEvent(label, Seconds(windowStart), Seconds(windowStart), null, ex.Message);
        }
    }

    private static double Seconds(long windowStart) => (Stopwatch.GetTimestamp() - windowStart) / (double)Stopwatch.Frequency;
}
