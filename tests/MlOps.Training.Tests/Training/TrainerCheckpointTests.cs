using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;
using MlOps.Training.Tests.Support;

namespace MlOps.Training.Tests.Training;

/// <summary>Checkpoints written while training, checkpoint-and-stop, and resuming from the file.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainerCheckpointTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>, IDisposable
{
    private static readonly string[] LearningMetrics =
        [TrainingMetrics.TestAccuracy, TrainingMetrics.TestLoss, TrainingMetrics.TrainLoss, TrainingMetrics.TrainAccuracy];

    private readonly TempDirectory _root = new("mlops-ckpt-");

    public void Dispose() => _root.Dispose();

    // 600 samples, batch 32: 19 steps per epoch.
    private TrainingRequest Request(string name, HyperParameters? hp = null, ModelSpec? model = null) =>
        new(model ?? Specs.Mlp(32), hp ?? Specs.Adam(epochs: 2), 3, dataset.Path, _root.Combine(name)) { Threads = 1, ProgressEverySteps = 1 };

    public static TheoryData<string, bool, int> Interruptions() => new()
    {
        { "sgd", false, 7 },    // SGD with momentum, stopped in epoch 1 at step 7
        { "sgd", false, 19 },   // stopped after the last step of epoch 1, before its evaluation
        { "adam", false, 25 },  // Adam, stopped in epoch 2 at step 6 (cosine schedule: epoch 2 has its own rate)
        { "adam", true, 11 },   // with dropout: the RNG state must be restored for the same masks
    };

    [Theory]
    [MemberData(nameof(Interruptions))]
    public void Train_PreemptedThenResumed_SameWeightsAndMetricsAsUninterrupted(string optimizer, bool dropout, int stopAtStep)
    {
        var hp = optimizer == "sgd"
            ? new HyperParameters { Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-4, BatchSize = 32, Epochs = 2 }
            : new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.002, BatchSize = 32, Epochs = 2, LrSchedule = LearningRateSchedule.Cosine };
        var model = Specs.Mlp(32);
        if (dropout)
        {
            model.Layers.Insert(3, new Layer { Dropout = new DropoutLayer { P = 0.3 } });
        }

        var whole = new Trainer().Train(Request("whole", hp, model), new RecordingObserver(), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var first = new RecordingObserver(stop, cancelAtProgress: stopAtStep);
        var stopped = Assert.Throws<TrainingPreemptedException>(() =>
            new Trainer().Train(Request("first", hp, model), first, CancellationToken.None, stop.Token));

        var checkpoint = stopped.Checkpoint;
        Assert.Equal((stopAtStep - 1) / 19 + 1, checkpoint.Epoch);
        Assert.Equal((stopAtStep - 1) % 19 + 1, checkpoint.Step);
        Assert.Equal(stopAtStep, checkpoint.GlobalStep);
        Assert.Equal(Path.Combine(_root.Combine("first"), "checkpoints", Checkpointer.FileName(stopAtStep)), checkpoint.Path);
        Assert.Equal(Sha256Digest.OfFile(checkpoint.Path), checkpoint.Digest);
        Assert.Equal(new FileInfo(checkpoint.Path).Length, checkpoint.Bytes);
        Assert.Equal([checkpoint], first.Checkpoints);
        Assert.False(File.Exists(Path.Combine(_root.Combine("first"), Trainer.WeightsFileName)));

        var second = new RecordingObserver();
        var resumed = new Trainer().Train(Request("second", hp, model) with { ResumeFrom = checkpoint.Path }, second, CancellationToken.None);

        Assert.Equal(whole.WeightsDigest, resumed.WeightsDigest);
        Assert.Equal(whole.OnnxDigest, resumed.OnnxDigest);
        foreach (var key in LearningMetrics)
        {
            Assert.Equal(whole.Metrics[key], resumed.Metrics[key]);
        }

        Assert.Equal(2, resumed.Metrics[TrainingMetrics.Epochs]);
        Assert.Contains(second.Logs, l => l.Contains($"resumed from checkpoint {checkpoint.Path}") &&
            l.Contains($"at epoch {checkpoint.Epoch}, step {checkpoint.Step} of 19 (global step {stopAtStep})"));
        Assert.Equal(Enumerable.Range(checkpoint.Epoch, 3 - checkpoint.Epoch), second.Epochs.Select(e => e.Epoch));
        Assert.Equal(
            Enumerable.Range(checkpoint.Step + 1, 19 - checkpoint.Step),
            second.Progress.Where(p => p.Epoch == checkpoint.Epoch).Select(p => (int)p.Step));
    }

    [Fact]
    public void Train_CheckpointEverySteps_WritesThemKeepsOnlyNewestAndReportsEach()
    {
        var observer = new RecordingObserver();
        var request = Request("run", Specs.Adam(epochs: 1)) with { CheckpointEverySteps = 5 };

        new Trainer().Train(request, observer, CancellationToken.None);

        var reported = observer.Checkpoints.ToArray();
        Assert.Equal([5L, 10, 15], reported.Select(c => c.GlobalStep));
        Assert.All(reported, c => Assert.Equal(1, c.Epoch));
        Assert.Equal([5, 10, 15], reported.Select(c => c.Step));
        Assert.All(reported, c => Assert.True(Sha256Digest.IsValid(c.Digest)));
        var directory = Path.Combine(request.OutputDirectory, TrainingRequest.DefaultCheckpointFolder);
        var newest = reported[^1];
        Assert.Equal([newest.Path], Directory.GetFiles(directory));
        Assert.Equal(Sha256Digest.OfFile(newest.Path), newest.Digest);
        Assert.Equal(new FileInfo(newest.Path).Length, newest.Bytes);
        Assert.Equal(3, reported.Select(c => c.Digest).Distinct().Count());
    }

    [Fact]
    public void Train_CheckpointEveryInterval_FollowsTheTrainersClockIntoTheGivenDirectory()
    {
        var clock = new FakeTimeProvider();
        var observer = new RecordingObserver(onProgress: _ => clock.Advance(TimeSpan.FromSeconds(10)));
        var directory = _root.Combine("elsewhere");
        var request = Request("run", Specs.Adam(epochs: 1)) with { CheckpointEvery = TimeSpan.FromSeconds(30), CheckpointDirectory = directory };

        new Trainer(clock).Train(request, observer, CancellationToken.None);

        // 10 s per step: due at steps 3, 6, ... since the last checkpoint.
        Assert.Equal([3L, 6, 9, 12, 15, 18], observer.Checkpoints.Select(c => c.GlobalStep));
        Assert.Equal([Path.Combine(directory, Checkpointer.FileName(18))], Directory.GetFiles(directory));
        Assert.False(Directory.Exists(Path.Combine(request.OutputDirectory, TrainingRequest.DefaultCheckpointFolder)));
        var header = CheckpointFile.Read(Path.Combine(directory, Checkpointer.FileName(18))).Header;
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromSeconds(10), header.CreatedAt);
    }

    [Fact]
    public void Train_CheckpointAndStopAlreadySignalled_StopsAfterFirstStep()
    {
        var observer = new RecordingObserver();

        var stopped = Assert.Throws<TrainingPreemptedException>(() =>
            new Trainer().Train(Request("run"), observer, CancellationToken.None, new CancellationToken(canceled: true)));

        Assert.Equal((1, 1, 1L), (stopped.Checkpoint.Epoch, stopped.Checkpoint.Step, stopped.Checkpoint.GlobalStep));
        Assert.Single(observer.Progress);
        Assert.Contains(stopped.Checkpoint.Path, stopped.Message);
    }

    [Fact]
    public void Train_PlainCancellation_WritesNoCheckpoint()
    {
        using var cts = new CancellationTokenSource();
        var observer = new RecordingObserver(cts, cancelAtProgress: 3);
        var request = Request("run") with { CheckpointEverySteps = 100 };

        Assert.ThrowsAny<OperationCanceledException>(() => new Trainer().Train(request, observer, cts.Token));

        Assert.Empty(observer.Checkpoints);
        Assert.False(Directory.Exists(request.CheckpointDirectoryOrDefault()));
    }

    [Fact]
    public void Train_CheckpointOfAnotherRun_RefusedNamingEachDifferentField()
    {
        var hp = Specs.Adam(epochs: 1);
        var stopped = Assert.Throws<TrainingPreemptedException>(() =>
            new Trainer().Train(Request("first", hp), new RecordingObserver(), CancellationToken.None, new CancellationToken(canceled: true)));
        var path = stopped.Checkpoint.Path;

        CheckpointException Resume(TrainingRequest request) => Assert.Throws<CheckpointException>(() =>
            new Trainer().Train(request with { ResumeFrom = path }, new RecordingObserver(), CancellationToken.None));

        var seed = Resume(Request("a", hp) with { Seed = 4 });
        Assert.Equal(path, seed.FilePath);
        Assert.Contains(path, seed.Message);
        Assert.Contains("belongs to another run", seed.Message);
        Assert.Contains("seed (checkpoint 3, this run 4)", seed.Message);
        Assert.DoesNotContain("model", seed.Problem);

        var model = Resume(Request("b", hp, Specs.Mlp(16)));
        Assert.Contains("model (checkpoint sha256:", model.Problem);
        Assert.DoesNotContain("seed", model.Problem);

        var learningRate = Resume(Request("c", Specs.Adam(epochs: 1, learningRate: 0.01)));
        Assert.Contains("hyper_parameters.learning_rate (checkpoint 0.001, this run 0.01)", learningRate.Problem);

        var samples = Resume(Request("d", hp) with { MaxTrainSamples = 300, Seed = 9 });
        Assert.Contains("train_samples (checkpoint 600, this run 300)", samples.Problem);
        Assert.Contains("seed (checkpoint 3, this run 9)", samples.Problem);

        Assert.False(File.Exists(Path.Combine(_root.Combine("a"), Trainer.WeightsFileName)));
    }

    [Fact]
    public void Train_ResumeFromCorruptFile_ThrowsCheckpointExceptionBeforeTraining()
    {
        var stopped = Assert.Throws<TrainingPreemptedException>(() =>
            new Trainer().Train(Request("first"), new RecordingObserver(), CancellationToken.None, new CancellationToken(canceled: true)));
        var bytes = File.ReadAllBytes(stopped.Checkpoint.Path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(stopped.Checkpoint.Path, bytes);
        var observer = new RecordingObserver();

        var ex = Assert.Throws<CheckpointException>(() =>
            new Trainer().Train(Request("second") with { ResumeFrom = stopped.Checkpoint.Path }, observer, CancellationToken.None));

        Assert.StartsWith($"checkpoint {stopped.Checkpoint.Path}: digest mismatch", ex.Message);
        Assert.Empty(observer.Progress);
    }

    [Fact]
    public void Train_InvalidCheckpointSettings_ThrowsNamingEveryField()
    {
        var request = Request("run") with
        {
            CheckpointEverySteps = -1,
            CheckpointEvery = TimeSpan.Zero,
            CheckpointDirectory = " ",
            ResumeFrom = _root.Combine("no-such.ckpt"),
        };

        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Train(request, new RecordingObserver(), CancellationToken.None));

        Assert.Contains("CheckpointEverySteps: must be 0 (off) or more, got -1", ex.Message);
        Assert.Contains("CheckpointEvery: must be positive", ex.Message);
        Assert.Contains("CheckpointDirectory: must not be blank", ex.Message);
        Assert.Contains($"ResumeFrom: checkpoint file {_root.Combine("no-such.ckpt")} does not exist", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Train_BlankResumeFrom_ThrowsNamingField(string resumeFrom)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new Trainer().Train(Request("run") with { ResumeFrom = resumeFrom, CheckpointEvery = TimeSpan.FromSeconds(-1) }, new RecordingObserver(), CancellationToken.None));

        Assert.Contains("ResumeFrom: must not be blank", ex.Message);
        Assert.Contains("CheckpointEvery: must be positive", ex.Message);
    }
}
