using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>Builders for the job events and results the fake coordinator streams.</summary>
internal static class JobEvents
{
    private static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static JobEvent State(string jobId, long seq, JobState from, JobState to, string reason = "") =>
        At(jobId, seq, e => e.StateChange = new StateChange { From = from, To = to, Attempt = 1, AgentId = "local", Reason = reason });

    public static JobEvent Log(string jobId, long seq, string text) =>
        At(jobId, seq, e => e.Log = new LogLine { Stream = LogStream.Stdout, Text = text });

    public static JobEvent Progress(string jobId, long seq, int epoch, double loss, double accuracy) =>
        At(jobId, seq, e => e.Progress = new TrainingProgress
        {
            Epoch = epoch, Epochs = 2, Step = 100, StepsPerEpoch = 100, Loss = loss, Accuracy = accuracy, SamplesPerSecond = 1500,
        });

    public static JobEvent Metrics(string jobId, long seq, int epoch, params (string Name, double Value)[] values)
    {
        var report = new MetricsReport { Epoch = epoch };
        foreach (var (name, value) in values)
        {
            report.Values[name] = value;
        }

        return At(jobId, seq, e => e.Metrics = report);
    }

    /// <summary>The events of a two-epoch job that succeeds with test accuracy 0.9123.</summary>
    public static JobEvent[] SuccessfulRun(string jobId) =>
    [
        State(jobId, 1, JobState.Queued, JobState.Assigned),
        State(jobId, 2, JobState.Assigned, JobState.Running),
        Log(jobId, 3, "loading fashion-mnist"),
        Progress(jobId, 4, 1, 0.61, 0.78),
        Progress(jobId, 5, 2, 0.42, 0.85),
        Metrics(jobId, 6, 0, ("test_accuracy", 0.9123), ("test_loss", 0.25)),
        State(jobId, 7, JobState.Running, JobState.Succeeded),
    ];

    public static void Succeed(Job job)
    {
        job.State = JobState.Succeeded;
        job.Attempt = 1;
        job.AgentId = "local";
        job.Result = new JobResult
        {
            WeightsUri = "file:///data/agent/artifacts/" + job.Id + "/weights.bin",
            WeightsSha256 = "sha256:" + new string('a', 64),
            WeightsBytes = 407_000,
            TrainSeconds = 12.5,
        };
        job.Result.Metrics["test_accuracy"] = 0.9123;
        job.Result.Metrics["test_loss"] = 0.25;
        job.LastEventSeq = 7;
    }

    private static JobEvent At(string jobId, long seq, Action<JobEvent> payload)
    {
        var jobEvent = new JobEvent { JobId = jobId, Seq = seq, Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(seq)) };
        payload(jobEvent);
        return jobEvent;
    }
}
