using System.Runtime.InteropServices;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Whether a path is a regular file, which <see cref="FileInfo"/> does not tell: a FIFO a command leaves in its output
/// looks like an empty file, and opening it to hash or upload it would block the agent forever (no writer is left).
/// Asked with statx(2), whose buffer layout is the same on every Linux architecture, without following a final link.
/// </summary>
internal static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;

    /// <summary>False for a FIFO, socket, device, directory or link; true for a regular file, and also when the kernel
    /// cannot be asked (not Linux), so the caller's own checks decide.</summary>
    public static bool IsRegularOrUnknown(string path)
    {
        var buffer = new byte[256];
        try
        {
            if (StatX(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return true;
        }

        return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) == RegularType;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);
}
