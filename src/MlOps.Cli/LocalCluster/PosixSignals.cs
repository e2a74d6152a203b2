using System.Runtime.InteropServices;

namespace MlOps.Cli.LocalCluster;

/// <summary>
/// SIGTERM for a child process. .NET's <see cref="System.Diagnostics.Process.Kill()"/> only sends SIGKILL, which
/// gives the coordinator and agent no chance to close their stores and streams, so we call kill(2) ourselves.
/// </summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM; false on Windows or when the signal could not be sent (the caller then kills).</summary>
    public static bool TryTerminate(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Kill(processId, SigTerm) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
