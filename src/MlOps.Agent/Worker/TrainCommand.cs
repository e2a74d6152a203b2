using Google.Protobuf;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;
using MlOps.Training;
using MlOps.Training.Devices;
using MlOps.Training.Native;

namespace MlOps.Agent.Worker;

/// <summary>
/// Entry point of the training child process: <c>MlOps.Agent train --assignment FILE --output DIR</c>.
/// Runs one job attempt in isolation from the agent and reports through <see cref="ChildProtocol"/>. Checkpoints go to
/// <c>checkpoints</c> beside the output directory (the attempt's work directory, whose <c>checkpoints</c> folder
/// survives an agent restart); each one is reported as a <c>checkpoint</c> line for the agent to push.
/// </summary>
internal static partial class TrainCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        if (!ChildProtocol.TryReadArguments(args, "train", stderr, out var assignmentPath, out var outputDirectory))
        {
            return ChildProtocol.ExitCodes.InvalidSpec;
        }

        using var cancellation = new CancellationTokenSource();
        using var preemption = new CancellationTokenSource();
        StartCommandReader(stdin, cancellation, preemption, stderr);
        var observer = new StdoutObserver(stdout);
        try
        {
            var assignment = JobAssignment.Parser.ParseFrom(File.ReadAllBytes(assignmentPath));
            var spec = assignment.Spec;
            JobSpecValidator.EnsureValid(spec);

            TorchSharpLoader.EnsureLoaded();

            var threads = spec.Resources?.CpuCores > 0 ? spec.Resources.CpuCores : 1;
            var request = new TrainingRequest(spec.Model, spec.HyperParameters, spec.Seed, assignment.DatasetPath, outputDirectory)
            {
                Threads = threads,
                Gpus = Math.Max(0, spec.Resources?.Gpus ?? 0),
                ModelName = spec.Name,
                // Only inputs that define the model go into the file (no job id, no time), so the same spec, seed and
                // data give a byte-identical ONNX file: that is what `mlops reproduce` checks.
                ModelMetadata = new Dictionary<string, string>
                {
                    [MlOps.Onnx.OnnxMetadataKeys.DatasetDigest] = assignment.DatasetDigest,
                },
                CheckpointDirectory = CheckpointDirectory(outputDirectory),
                ResumeFrom = string.IsNullOrEmpty(assignment.ResumePath) ? null : assignment.ResumePath,
            };
            request = WithPolicy(request, assignment.Checkpoint);
            stdout.WriteLine($"training {spec.Name} (job {assignment.JobId}, attempt {assignment.Attempt}) on {threads} thread(s), {request.Gpus} GPU(s), dataset {assignment.DatasetPath}");
            var result = new Trainer().Train(request, observer, cancellation.Token, preemption.Token);
            WriteReferenceProfile(result.OnnxPath, assignment.DatasetPath, spec.Model.InputShape, outputDirectory, threads, observer);

            var jobResult = new JobResult
            {
                WeightsUri = result.WeightsPath,
                WeightsSha256 = result.WeightsDigest,
                WeightsBytes = result.WeightsBytes,
                TrainSeconds = result.TrainSeconds,
                DatasetDigest = assignment.DatasetDigest,
                OnnxDigest = result.OnnxDigest,
                OnnxBytes = result.OnnxBytes,
            };
            foreach (var (key, value) in result.Metrics)
            {
                jobResult.Metrics[key] = value;
            }

            if (!string.IsNullOrEmpty(assignment.BaselinePath))
            {
                var comparison = CompareWithBaseline(result.OnnxPath, assignment.DatasetPath, assignment.BaselinePath, assignment.Baseline, spec.Model.InputShape,
                    threads, observer);
                foreach (var (key, value) in comparison ?? [])
                {
                    jobResult.Metrics[key] = value;
                }
            }

            stdout.WriteLine(ChildProtocol.Result(jobResult));
            stdout.Flush();
            return ChildProtocol.ExitCodes.Succeeded;
        }
        catch (TrainingPreemptedException ex)
        {
            // The trainer reports every checkpoint it writes; this one too, unless it was written at the very step
            // of an earlier report (then the file is the same and the line is already out).
            observer.EnsureReported(ex.Checkpoint);
            stderr.WriteLine(ex.Message);
            return ChildProtocol.ExitCodes.Preempted;
        }
        catch (CudaUnavailableException ex)
        {
            // A failed attempt: the spec is valid, this node cannot run it (another node may).
            stderr.WriteLine($"CUDA unavailable: {ex.Message}");
            return ChildProtocol.ExitCodes.Failed;
        }
        catch (TorchSharpLoadException ex)
        {
            stderr.WriteLine($"libtorch did not load: {ex.Message}");
            return ChildProtocol.ExitCodes.Failed;
        }
        catch (CheckpointException ex)
        {
            // A failed attempt, not an invalid job: the coordinator retries, and may pick another checkpoint.
            stderr.WriteLine($"checkpoint error: {ex.Message}");
            return ChildProtocol.ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("training cancelled");
            return ChildProtocol.ExitCodes.Cancelled;
        }
        catch (DatasetException ex)
        {
            stderr.WriteLine($"dataset error: {ex.Message}");
            return ChildProtocol.ExitCodes.InvalidData;
        }
        catch (Exception ex) when (ex is SpecValidationException or ArgumentException or InvalidProtocolBufferException)
        {
            stderr.WriteLine($"invalid job: {ex.Message}");
            return ChildProtocol.ExitCodes.InvalidSpec;
        }
        catch (Exception ex)
        {
            stderr.WriteLine($"training failed: {ex}");
            return ChildProtocol.ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Writes the model's reference profile beside it (<see cref="ReferenceProfileWriter"/>). A model without one still
    /// trains, publishes and serves, only without drift statistics; so any failure here is a warning line, not a failed job.
    /// </summary>
    internal static void WriteReferenceProfile(string onnxPath, string datasetPath, IReadOnlyList<long> inputShape, string outputDirectory, int threads,
        ITrainingObserver observer)
    {
        try
        {
            var test = MnistFormat.Load(datasetPath).Test;
            var profile = ReferenceProfileWriter.Write(onnxPath, test, inputShape, outputDirectory, threads);
            observer.OnLog($"reference profile: {profile.Samples} test samples, {profile.Path} ({profile.Digest})");
        }
        catch (Exception ex)
        {
            observer.OnLog($"warning: no reference profile, publishing the model without one: {ex.Message}");
        }
    }

    /// <summary>
    /// Compares the trained model with the baseline the agent pulled into <paramref name="baselinePath"/>
    /// (<see cref="BaselineComparison"/>) and returns the <see cref="ComparisonMetrics"/> for the job's result. Like the
    /// reference profile, the comparison is evidence about the job, not part of it: any failure (the baseline takes other
    /// images, its file is unreadable) is a warning line and null, and the job still succeeds.
    /// </summary>
    internal static Dictionary<string, double>? CompareWithBaseline(string onnxPath, string datasetPath, string baselinePath, BaselineArtifact? baseline,
        IReadOnlyList<long> inputShape, int threads, ITrainingObserver observer)
    {
        var name = baseline is null || string.IsNullOrEmpty(baseline.Model) ? "the baseline" : $"{baseline.Model} v{baseline.Version}";
        try
        {
            var test = MnistFormat.Load(datasetPath).Test;
            var comparison = BaselineComparison.Compare(onnxPath, baselinePath, test, inputShape, threads);
            observer.OnLog(comparison.Describe(name));
            return comparison.ToMetrics(baseline?.Version ?? 0);
        }
        catch (Exception ex)
        {
            observer.OnLog($"warning: no comparison with {name}: {ex.Message}");
            return null;
        }
    }

    /// <summary><c>checkpoints</c> beside <paramref name="outputDirectory"/>, i.e. in the attempt's work directory.</summary>
    internal static string CheckpointDirectory(string outputDirectory) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputDirectory)) ?? outputDirectory, Jobs.LeftoverAttempts.CheckpointsFolder);

    /// <summary>The assignment's policy (the coordinator's default already applied) as trainer settings; disabled or
    /// absent: no periodic checkpoints (a preemption still writes one).</summary>
    internal static TrainingRequest WithPolicy(TrainingRequest request, CheckpointPolicy? policy) =>
        policy is null || policy.Disabled
            ? request
            : request with
            {
                CheckpointEverySteps = (int)Math.Clamp(policy.EverySteps, 0, int.MaxValue),
                CheckpointEvery = policy.EverySeconds > 0 ? TimeSpan.FromSeconds(policy.EverySeconds) : null,
            };

    /// <summary>Reads agent commands from stdin. End of input means the agent died: cancel, and if the
    /// trainer does not stop within a few seconds, leave anyway.</summary>
    internal static void StartCommandReader(TextReader stdin, CancellationTokenSource cancellation, CancellationTokenSource preemption, TextWriter stderr)
    {
        var thread = new Thread(() =>
        {
            try
            {
                while (stdin.ReadLine() is { } line)
                {
                    if (ChildProtocol.ParseLease(line) is { } ms)
                    {
                        LeaseWatchdog.Extend(TimeSpan.FromMilliseconds(ms), stderr);
                        continue;
                    }

                    switch (line.Trim())
                    {
                        case ChildProtocol.CancelCommand:
                            cancellation.Cancel();
                            break;
                        case ChildProtocol.PreemptCommand:
                            preemption.Cancel();
                            break;
                    }
                }
            }
            catch (IOException)
            {
            }

            stderr.WriteLine("agent connection closed (stdin ended); stopping");
            cancellation.Cancel();
            Thread.Sleep(TimeSpan.FromSeconds(5));
            Environment.Exit(ChildProtocol.ExitCodes.Cancelled);
        })
        {
            IsBackground = true,
            Name = "agent-commands",
        };
        thread.Start();
    }

    private sealed class StdoutObserver(TextWriter stdout) : ITrainingObserver
    {
        private readonly Lock _gate = new();
        private long? _reportedStep;

        public void OnProgress(TrainingProgress progress) => Write(ChildProtocol.Progress(progress));

        public void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics)
        {
            var report = new MetricsReport { Epoch = epoch };
            foreach (var (key, value) in metrics)
            {
                report.Values[key] = value;
            }

            Write(ChildProtocol.Metrics(report));
        }

        public void OnLog(string message) => Write(message);

        public void OnCheckpoint(CheckpointInfo info)
        {
            lock (_gate)
            {
                _reportedStep = info.GlobalStep;
                stdout.WriteLine(ChildProtocol.Checkpoint(new LocalCheckpoint
                {
                    Path = info.Path,
                    Epoch = info.Epoch,
                    Step = info.Step,
                    GlobalStep = info.GlobalStep,
                    Bytes = info.Bytes,
                    Digest = info.Digest,
                }));
                stdout.Flush();
            }
        }

        /// <summary>Reports <paramref name="info"/> unless the last reported checkpoint is of the same step.</summary>
        public void EnsureReported(CheckpointInfo info)
        {
            lock (_gate)
            {
                if (_reportedStep == info.GlobalStep)
                {
                    return;
                }
            }

            OnCheckpoint(info);
        }

        private void Write(string line)
        {
            lock (_gate)
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }
        }
    }

    /// <summary>
    /// Self-fencing: once the agent has passed a lease (<c>lease MS</c>), the process exits with
    /// <see cref="ChildProtocol.ExitCodes.LeaseExpired"/> when no newer one arrives in time — the agent may be frozen or
    /// cut off from the coordinator, which then gives the job to another agent, and the job must not train in two
    /// places at once. Without any lease line (an older agent) nothing is enforced.
    /// </summary>
    internal static partial class LeaseWatchdog
    {
        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "_exit")]
        private static partial void Exit(int status);

        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
        private static long _deadline = long.MaxValue;
        private static int _started;

        public static void Extend(TimeSpan remaining, TextWriter stderr)
        {
            Volatile.Write(ref _deadline, System.Diagnostics.Stopwatch.GetTimestamp() + (long)(remaining.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
            if (Interlocked.Exchange(ref _started, 1) == 1)
            {
                return;
            }

            new Thread(() =>
            {
                while (System.Diagnostics.Stopwatch.GetTimestamp() < Volatile.Read(ref _deadline))
                {
                    Thread.Sleep(Poll);
                }

                stderr.WriteLine("lease expired: the agent has not heard from the coordinator in time, so the job may be given to another agent; stopping");
                stderr.Flush();
                // _exit, not Environment.Exit: the trainer is inside libtorch on other threads, and a managed shutdown
                // under it can crash (SIGSEGV) instead of exiting. Nothing needs to be flushed: the attempt is given up.
                Exit(ChildProtocol.ExitCodes.LeaseExpired);
            })
            {
                IsBackground = true,
                Name = "lease-watchdog",
            }.Start();
        }
    }
}
