using MlOps.Contracts;
using MlOps.Coordinator.Jobs;

namespace MlOps.Coordinator.Tests.Jobs;

public sealed class JobEventHubTests
{
    [Fact]
    public void Publish_SlowSubscriber_KeepsNewestEventsOnly()
    {
        var hub = new JobEventHub();
        using var subscription = hub.Subscribe("j-1");

        hub.Publish([.. Enumerable.Range(1, JobEventHub.SubscriptionCapacity + 10).Select(i => new JobEvent { JobId = "j-1", Seq = i })]);

        Assert.True(subscription.Reader.TryRead(out var first));
        Assert.Equal(11, first.Seq);
    }

    [Fact]
    public void Publish_OtherJob_NotDelivered()
    {
        var hub = new JobEventHub();
        using var subscription = hub.Subscribe("j-1");

        hub.Publish([new JobEvent { JobId = "j-2", Seq = 1 }]);

        Assert.False(subscription.Reader.TryRead(out _));
    }

    [Fact]
    public void Dispose_Subscription_Unsubscribes()
    {
        var hub = new JobEventHub();
        var subscription = hub.Subscribe("j-1");
        Assert.Equal(1, hub.SubscriberCount("j-1"));

        subscription.Dispose();

        Assert.Equal(0, hub.SubscriberCount("j-1"));
        Assert.True(subscription.Reader.Completion.IsCompleted);
    }
}
