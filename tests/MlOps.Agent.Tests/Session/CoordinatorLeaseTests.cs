using Microsoft.Extensions.Time.Testing;
using MlOps.Agent.Session;

namespace MlOps.Agent.Tests.Session;

public sealed class CoordinatorLeaseTests
{
    [Fact]
    public void Remaining_NeverGranted_IsNull()
    {
        Assert.Null(new CoordinatorLease(new FakeTimeProvider()).Remaining);
    }

    [Fact]
    public void Renew_EndsOneMarginBeforeTheCoordinatorsView_AndRunsOut()
    {
        var time = new FakeTimeProvider();
        var lease = new CoordinatorLease(time);

        lease.Renew(TimeSpan.FromSeconds(15), margin: TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(10), lease.Remaining);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(1), lease.Remaining);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(lease.Remaining < TimeSpan.Zero);

        lease.Renew(TimeSpan.FromSeconds(15), margin: TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(10), lease.Remaining);
    }

    [Fact]
    public void Renew_MarginAsLongAsTheLease_KeepsHalfOfIt()
    {
        var lease = new CoordinatorLease(new FakeTimeProvider());

        lease.Renew(TimeSpan.FromSeconds(4), margin: TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(2), lease.Remaining);
    }
}
