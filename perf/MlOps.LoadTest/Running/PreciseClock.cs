using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MlOps.LoadTest.Running;

/// <summary>
/// Waits until a <see cref="Stopwatch"/> timestamp with sub-millisecond precision and without spinning a core: the
/// open model's pacer must send on time (its lateness counts in the measured latency) yet leave the CPU to the
/// server under test. On Linux the calling thread's timer slack is set to 1 ns and short waits use
/// <c>nanosleep</c>; elsewhere it falls back to <see cref="Thread.Sleep(int)"/> and yielding.
/// </summary>
internal static partial class PreciseClock
{
    private const int PrSetTimerSlack = 29;
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    /// <summary>Makes the calling thread's sleeps wake on time (Linux); harmless elsewhere.</summary>
    public static void TightenTimerSlack()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Prctl(PrSetTimerSlack, 1, 0, 0, 0);
        }
    }

    /// <summary>Returns at or shortly after <paramref name="timestamp"/>, or at once if it has passed.</summary>
    public static void WaitUntil(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > 3 * OneMillisecond)
            {
                Thread.Sleep((int)(remaining / OneMillisecond) - 1);
            }
            else if (OperatingSystem.IsLinux())
            {
                var nanos = (long)(remaining * (1_000_000_000.0 / Stopwatch.Frequency));
                var spec = new TimeSpec { Seconds = nanos / 1_000_000_000, Nanoseconds = nanos % 1_000_000_000 };
                _ = NanoSleep(in spec, IntPtr.Zero);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
