using System.Globalization;
using System.Runtime.InteropServices;

namespace MlOps.Agent.Jobs;

/// <summary>One process as Linux reports it in <c>/proc/&lt;pid&gt;/stat</c> (proc(5)). <c>StartTicks</c> is field 22,
/// <c>starttime</c>, in clock ticks after boot: with the pid it names a process for good, as a recycled pid gets a
/// later start time.</summary>
internal readonly record struct ProcessStat(int Pid, char State, int ParentPid, long StartTicks)
{
    /// <summary>A zombie or dead entry: it runs nothing any more, only waits to be reaped.</summary>
    public bool IsGone => State is 'Z' or 'X' or 'x';
}

/// <summary>
/// The little of <c>/proc</c> and kill(2) the agent needs to find and stop processes a previous run left behind.
/// Everything answers "nothing there" off Linux, so the callers leave such processes alone.
/// </summary>
internal static partial class LinuxProcesses
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    private const string ProcRoot = "/proc";

    /// <summary>The process's stat line, or null when it does not exist (any more) or cannot be read.</summary>
    public static ProcessStat? Read(int pid)
    {
        if (pid <= 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return Parse(File.ReadAllText(Path.Combine(ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "stat")));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while <paramref name="pid"/> runs and is the process that started at <paramref name="startTicks"/>.</summary>
    public static bool IsRunning(int pid, long startTicks) => Read(pid) is { IsGone: false } stat && stat.StartTicks == startTicks;

    /// <summary>Parses a stat line. The command name (field 2) sits in parentheses and may itself hold spaces and
    /// parentheses, so the fields after it are counted from its last closing parenthesis.</summary>
    public static ProcessStat? Parse(string stat)
    {
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open <= 0 || close < open)
        {
            return null;
        }

        // fields[0] is field 3 (state), so field n is fields[n - 3].
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1 ||
            !int.TryParse(stat.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
            !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ||
            !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTicks))
        {
            return null;
        }

        return new ProcessStat(pid, fields[0][0], parent, startTicks);
    }

    /// <summary>Children, grandchildren and so on of <paramref name="pid"/>, from one scan of <c>/proc</c>.</summary>
    public static IReadOnlyList<ProcessStat> Descendants(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var children = new Dictionary<int, List<ProcessStat>>();
        foreach (var directory in Directory.EnumerateDirectories(ProcRoot))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate) &&
                Read(candidate) is { } stat)
            {
                if (!children.TryGetValue(stat.ParentPid, out var list))
                {
                    children[stat.ParentPid] = list = [];
                }

                list.Add(stat);
            }
        }

        var found = new List<ProcessStat>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var parent))
        {
            foreach (var child in children.GetValueOrDefault(parent) ?? [])
            {
                found.Add(child);
                pending.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>Sends <paramref name="signal"/>; false when it could not be sent (gone, not ours, not Linux).</summary>
    public static bool Signal(int pid, int signal)
    {
        if (pid <= 1 || !OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Kill(pid, signal) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
