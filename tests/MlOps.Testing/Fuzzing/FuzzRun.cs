using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MlOps.Testing.Fuzzing;

/// <summary>
/// A seeded mutation fuzzer for one parser. Every seed runs first as is, then mutations of the corpus (seeds plus every
/// input that produced an outcome not seen before: a crude coverage signal without instrumentation) until the options'
/// count or time is reached. Each input runs on a dedicated thread, watched from the caller's:
/// <list type="bullet">
/// <item>an exception the options do not list as expected is a <b>crash</b>;</item>
/// <item>an input running past <see cref="FuzzOptions.PerInputTimeout"/> is a <b>hang</b> (the run stops; the stuck
/// thread is a background thread and is abandoned);</item>
/// <item>an input allocating more than <see cref="FuzzOptions.MaxAllocatedBytesPerInput"/> is <b>unbounded allocation</b>.</item>
/// </list>
/// Failures are grouped by exception type and the first frame in product code; the first input of each group is
/// shrunk (chunks deleted while the same failure reproduces) into a minimal reproducer.
/// </summary>
public static partial class FuzzRun
{
    private const int MaxCorpus = 2000;
    private const int MaxShrinkAttempts = 3000;

    /// <summary>Fuzzes <paramref name="target"/>, which parses one input and throws for bad ones.</summary>
    public static FuzzReport Run(string target, IEnumerable<byte[]> seeds, Action<byte[]> body, FuzzOptions options)
    {
        var state = new RunState(target, [.. seeds], body, options);
        var worker = new Thread(state.Loop) { IsBackground = true, Name = $"fuzz {target}" };
        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            var started = Volatile.Read(ref state.CurrentStart);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > options.PerInputTimeout * 2)
            {
                // The target is stuck: it cannot be stopped, only reported. The thread is left behind.
                state.Hang(Stopwatch.GetElapsedTime(started));
                break;
            }
        }

        var report = state.Report();
        report.AppendTo(options.ReportFile);
        return report;
    }

    /// <summary>The kind of an expected rejection, for the corpus' novelty check: exception type and message with
    /// numbers and quoted values blanked, so one rule hit with different values counts once.</summary>
    internal static string OutcomeOf(Exception? error)
    {
        if (error is null)
        {
            return "accepted";
        }

        var message = Quoted().Replace(Hex().Replace(error.Message, "…"), "'…'");
        message = Digits().Replace(message, "#");
        // Head and tail: validation messages put the field first, wrapped library errors put the cause last.
        return $"{error.GetType().Name}: {(message.Length > 120 ? message[..60] + "…" + message[^60..] : message)}";
    }

    /// <summary>Exception type plus the first frame in product code (not the fuzzer, not a test).</summary>
    internal static string SignatureOf(Exception error)
    {
        var frames = new StackTrace(error, fNeedFileInfo: false).GetFrames();
        var frame = frames.Select(f => f.GetMethod()).FirstOrDefault(m =>
            m?.DeclaringType?.FullName is { } type && type.StartsWith("MlOps.", StringComparison.Ordinal) &&
            !type.StartsWith("MlOps.Testing", StringComparison.Ordinal) && !type.Contains(".Tests", StringComparison.Ordinal))
            ?? frames.FirstOrDefault()?.GetMethod();
        var where = frame is null ? "?" : $"{frame.DeclaringType?.FullName}.{frame.Name}";
        return $"{error.GetType().FullName} at {where}";
    }

    /// <summary>The first stack frames of <paramref name="error"/>, indented, for the report.</summary>
    private static string Frames(Exception error) =>
        string.Join(Environment.NewLine, (error.StackTrace ?? "").Split('\n').Take(6).Select(l => "    " + l.Trim()));

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    /// <summary>Digests and other long hex runs, which differ per input and say nothing about the path taken.</summary>
    [GeneratedRegex("[0-9a-f]{16,}")]
    private static partial Regex Hex();

    private sealed class RunState(string target, List<byte[]> seeds, Action<byte[]> body, FuzzOptions options)
    {
        public long CurrentStart;

        private readonly Lock _lock = new();
        private readonly Dictionary<string, FailureGroup> _failures = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);
        private readonly Stopwatch _clock = new();
        private byte[] _current = [];
        private long _inputs;
        private int _corpus;
        private bool _stopped;

        public void Loop()
        {
            _clock.Start();
            var random = new Random(options.Seed);
            var corpus = seeds.Count > 0 ? new List<byte[]>(seeds) : [[]];
            var mutator = new Mutator(random, options.Dictionary, options.MaxInputBytes);
            foreach (var seed in seeds)
            {
                Try(seed, corpus, random);
            }

            while (_inputs < options.Iterations && _clock.Elapsed < options.Duration && !IsStopped)
            {
                // Half the time from a seed: the corpus fills with whatever was new first, often trivial fragments.
                var parent = seeds.Count > 0 && random.Next(2) == 0 ? seeds[random.Next(seeds.Count)] : corpus[random.Next(corpus.Count)];
                Try(mutator.Mutate(parent, corpus[random.Next(corpus.Count)]), corpus, random);
            }

            lock (_lock)
            {
                _corpus = corpus.Count;
            }

            foreach (var group in Groups().Where(g => g.Kind != "hang"))
            {
                Shrink(group);
            }

            _clock.Stop();
        }

        public void Hang(TimeSpan running)
        {
            lock (_lock)
            {
                _stopped = true;
                _clock.Stop();
                var signature = $"no answer after {running.TotalSeconds:0.0} s";
                _failures[signature] = new FailureGroup("hang", signature, $"one input ran longer than {options.PerInputTimeout}", _current);
            }
        }

        public FuzzReport Report()
        {
            lock (_lock)
            {
                return new FuzzReport(target, _inputs, _clock.Elapsed, options.Seed, _corpus, _outcomes.Count,
                    [.. _failures.Values.Select(g => new FuzzFailure(g.Kind, g.Signature, g.Message, g.Reproducer, g.Count))]);
            }
        }

        private bool IsStopped
        {
            get
            {
                lock (_lock)
                {
                    return _stopped;
                }
            }
        }

        private List<FailureGroup> Groups()
        {
            lock (_lock)
            {
                return [.. _failures.Values];
            }
        }

        private void Try(byte[] input, List<byte[]> corpus, Random random)
        {
            var (failure, outcome) = Execute(input);
            lock (_lock)
            {
                _inputs++;
                if (failure is { } f)
                {
                    if (_failures.TryGetValue(f.Signature, out var group))
                    {
                        group.Count++;
                    }
                    else
                    {
                        _failures[f.Signature] = new FailureGroup(f.Kind, f.Signature, f.Message, input);
                    }
                }

                if (_outcomes.TryGetValue(outcome, out var seen))
                {
                    _outcomes[outcome] = seen + 1;
                    return;
                }

                _outcomes[outcome] = 1;
            }

            if (corpus.Count < MaxCorpus)
            {
                corpus.Add(input);
            }
            else
            {
                // Full: a new outcome replaces a random entry after the seeds, so the corpus keeps moving.
                corpus[random.Next(seeds.Count, corpus.Count)] = input;
            }
        }

        /// <summary>Runs one input; returns the failure it shows (if any) and its outcome.</summary>
        private ((string Kind, string Signature, string Message)? Failure, string Outcome) Execute(byte[] input)
        {
            _current = input;
            var before = GC.GetAllocatedBytesForCurrentThread();
            Volatile.Write(ref CurrentStart, Stopwatch.GetTimestamp());
            Exception? error = null;
            try
            {
                body(input);
            }
            catch (Exception e)
            {
                error = e;
            }

            var elapsed = Stopwatch.GetElapsedTime(Volatile.Read(ref CurrentStart));
            Volatile.Write(ref CurrentStart, 0);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (error is not null && !options.IsExpected(error))
            {
                return (("crash", SignatureOf(error), $"{error.GetType().Name}: {error.Message}{Environment.NewLine}{Frames(error)}"), "crash");
            }

            if (allocated > options.MaxAllocatedBytesPerInput)
            {
                var at = error is null ? "accepted" : SignatureOf(error);
                return (("allocation", $"allocated more than {options.MaxAllocatedBytesPerInput} bytes ({at})",
                    $"one input allocated {allocated:N0} bytes; {OutcomeOf(error)}"), "allocation");
            }

            if (elapsed > options.PerInputTimeout)
            {
                return (("hang", $"slow ({OutcomeOf(error)})", $"one input took {elapsed.TotalMilliseconds:N0} ms"), "slow");
            }

            return (null, OutcomeOf(error));
        }

        /// <summary>Deletes chunks of the reproducer, halving the chunk size, while the same failure still shows.</summary>
        private void Shrink(FailureGroup group)
        {
            var best = group.Reproducer;
            var attempts = 0;
            for (var chunk = Math.Max(1, best.Length / 2); chunk >= 1 && attempts < MaxShrinkAttempts; chunk /= 2)
            {
                for (var start = 0; start < best.Length && attempts < MaxShrinkAttempts; attempts++)
                {
                    byte[] candidate = [.. best.AsSpan(0, start), .. best.AsSpan(Math.Min(best.Length, start + chunk))];
                    if (Execute(candidate).Failure?.Signature == group.Signature)
                    {
                        best = candidate;
                    }
                    else
                    {
                        start += chunk;
                    }
                }
            }

            lock (_lock)
            {
                group.Reproducer = best;
            }
        }
    }

    private sealed class FailureGroup(string kind, string signature, string message, byte[] reproducer)
    {
        public string Kind { get; } = kind;

        public string Signature { get; } = signature;

        public string Message { get; } = message;

        public byte[] Reproducer { get; set; } = reproducer;

        public long Count { get; set; } = 1;
    }
}
