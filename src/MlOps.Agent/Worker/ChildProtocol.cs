using Google.Protobuf;
using MlOps.Contracts;

namespace MlOps.Agent.Worker;

/// <summary>
/// How the training child process talks to the agent. Structured events go to stdout as single lines
/// <c>@@mlops &lt;kind&gt; &lt;protobuf JSON&gt;</c>; every other stdout or stderr line is a log line of the job.
/// The agent writes commands to the child's stdin: <c>cancel</c> (stop, leave nothing) or <c>preempt</c> (write a
/// checkpoint at the next step, report it, exit with <see cref="ExitCodes.Preempted"/>); end of stdin means the agent
/// is gone and the child stops, so a killed agent never leaves orphaned training behind.
/// </summary>
internal static class ChildProtocol
{
    public const string Prefix = "@@mlops ";
    public const string CancelCommand = "cancel";
    public const string PreemptCommand = "preempt";

    /// <summary><c>lease MS</c>: the agent's lease with the coordinator runs out in MS milliseconds; the child stops
    /// (<see cref="ExitCodes.LeaseExpired"/>) when it does without a newer one.</summary>
    public const string LeaseCommand = "lease";

    public static string Lease(TimeSpan remaining) =>
        $"{LeaseCommand} {Math.Max(0, (long)remaining.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The milliseconds of a <c>lease MS</c> command; null for any other line.</summary>
    public static long? ParseLease(string line)
    {
        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is [LeaseCommand, var ms] && long.TryParse(ms, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    /// <summary>Exit codes of the training child; anything else is a crash.</summary>
    public static class ExitCodes
    {
        public const int Succeeded = 0;
        public const int Failed = 1;
        public const int InvalidSpec = 2;
        public const int InvalidData = 3;
        public const int Cancelled = 130;

        /// <summary>Stopped because the agent's lease ran out (no <see cref="LeaseCommand"/> extended it): the
        /// coordinator may be giving the job to another agent, so this one must not train on.</summary>
        public const int LeaseExpired = 76;

        /// <summary>Stopped on <see cref="PreemptCommand"/> after writing (and reporting) a checkpoint; 75 is
        /// EX_TEMPFAIL: the work is not done and can go on later.</summary>
        public const int Preempted = 75;
    }

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Progress(TrainingProgress progress) => $"{Prefix}progress {Formatter.Format(progress)}";

    public static string Metrics(MetricsReport metrics) => $"{Prefix}metrics {Formatter.Format(metrics)}";

    /// <summary>A checkpoint file the trainer wrote; the agent pushes it to the artifact store.</summary>
    public static string Checkpoint(LocalCheckpoint checkpoint) => $"{Prefix}checkpoint {Formatter.Format(checkpoint)}";

    public static string Result(JobResult result) => $"{Prefix}result {Formatter.Format(result)}";

    /// <summary>Parses a structured line into the message it carries; null for an ordinary log line.</summary>
    public static IMessage? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = line.AsSpan(Prefix.Length);
        var space = rest.IndexOf(' ');
        if (space < 0)
        {
            return null;
        }

        var kind = rest[..space].ToString();
        var json = rest[(space + 1)..].ToString();
        try
        {
            return kind switch
            {
                "progress" => TrainingProgress.Parser.ParseJson(json),
                "metrics" => MetricsReport.Parser.ParseJson(json),
                "result" => JobResult.Parser.ParseJson(json),
                "checkpoint" => LocalCheckpoint.Parser.ParseJson(json),
                _ => null,
            };
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        catch (InvalidJsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>--assignment FILE --output DIR</c> of a child command line (<c>train</c> or <c>step</c>); false,
    /// with the usage on <paramref name="stderr"/>, when either is missing.</summary>
    public static bool TryReadArguments(string[] args, string command, TextWriter stderr, out string assignmentPath, out string outputDirectory)
    {
        string? assignment = null;
        string? output = null;
        for (var i = 1; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--assignment": assignment = args[++i]; break;
                case "--output": output = args[++i]; break;
            }
        }

        assignmentPath = assignment ?? "";
        outputDirectory = output ?? "";
        if (assignment is null || output is null)
        {
            stderr.WriteLine($"usage: MlOps.Agent {command} --assignment FILE --output DIR");
            return false;
        }

        return true;
    }
}
