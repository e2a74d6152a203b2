using Microsoft.Extensions.Time.Testing;
using MlOps.Serving.Feedback;

namespace MlOps.Serving.Tests.Feedback;

public sealed class PredictionLogTests
{
    [Fact]
    public void Label_RememberedPrediction_ScoredOnceAgainstItsArgmax()
    {
        var log = new PredictionLog(capacity: 10, new FakeTimeProvider());
        log.Record("r1", [0.1f, 0.7f, 0.2f], rows: 1);

        Assert.True(log.Label("r1", 1, out var predicted));
        Assert.Equal(1, predicted);
        Assert.False(log.Label("r1", 1, out _));
        Assert.Equal((1L, 1L), log.Accuracy.SinceLoad);
    }

    [Fact]
    public void Record_SeveralRows_KeptAsIdHashRow()
    {
        var log = new PredictionLog(capacity: 10, new FakeTimeProvider());
        log.Record("batch", [0.9f, 0.1f, 0.2f, 0.8f], rows: 2);

        Assert.True(log.Label("batch#0", 0, out var first));
        Assert.True(log.Label("batch#1", 0, out var second));
        Assert.Equal((0, 1), (first, second));
        Assert.Equal((1L, 2L), log.Accuracy.SinceLoad);
        Assert.False(log.Label("batch", 0, out _));
    }

    [Fact]
    public void Record_PastCapacity_ForgetsTheOldest()
    {
        var log = new PredictionLog(capacity: 3, new FakeTimeProvider());
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            log.Record(id, [1f, 0f], rows: 1);
        }

        Assert.Equal(3, log.Count);
        Assert.False(log.Label("a", 0, out _));
        Assert.True(log.Label("d", 0, out _));
    }

    [Fact]
    public void Accuracy_Windows_CountOnlyTheirMinutes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var log = new PredictionLog(capacity: 100, time);
        for (var i = 0; i < 10; i++)
        {
            log.Record($"old-{i}", [1f, 0f], rows: 1);
            log.Label($"old-{i}", i < 9 ? 0 : 1, out _); // 9 of 10 right
        }

        time.Advance(TimeSpan.FromMinutes(30));
        for (var i = 0; i < 10; i++)
        {
            log.Record($"new-{i}", [1f, 0f], rows: 1);
            log.Label($"new-{i}", i < 5 ? 0 : 1, out _); // 5 of 10 right
        }

        Assert.Equal((5L, 10L), log.Accuracy.Over(TimeSpan.FromMinutes(5)));
        Assert.Equal((14L, 20L), log.Accuracy.Over(TimeSpan.FromMinutes(60)));
        time.Advance(TimeSpan.FromMinutes(45));
        Assert.Equal((5L, 10L), log.Accuracy.Over(TimeSpan.FromMinutes(60)));
        Assert.Equal((14L, 20L), log.Accuracy.SinceLoad);
    }

    [Fact]
    public void Record_NoIdOrRaggedScores_Ignored()
    {
        var log = new PredictionLog(capacity: 10, new FakeTimeProvider());
        log.Record("", [1f, 0f], rows: 1);
        log.Record("ragged", [1f, 0f, 0.5f], rows: 2);

        Assert.Equal(0, log.Count);
    }
}
