using Microsoft.Extensions.Time.Testing;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;

namespace MlOps.Coordinator.Tests.Storage;

public sealed class JobIdGeneratorTests
{
    [Fact]
    public void Next_ManyIds_ShortUniqueAndPrefixed()
    {
        var generator = new JobIdGenerator(new FakeTimeProvider(TestCoordinator.Start));

        var ids = Enumerable.Range(0, 2000).Select(_ => generator.Next()).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^j-[0-9a-hjkmnp-tv-z]{16}$", id));
    }

    [Fact]
    public void Next_LaterTime_SortsAfterEarlierIds()
    {
        var time = new FakeTimeProvider(TestCoordinator.Start);
        var generator = new JobIdGenerator(time);
        var earlier = Enumerable.Range(0, 50).Select(_ => generator.Next()).ToList();

        time.Advance(TimeSpan.FromMilliseconds(1));
        var later = generator.Next();

        Assert.All(earlier, id => Assert.True(string.CompareOrdinal(id, later) < 0, $"{id} should sort before {later}"));
    }

    [Fact]
    public void Format_KnownValue_EncodesTimeInHighBits()
    {
        Assert.Equal("j-0000000000000001", JobIdGenerator.Format(0, 1));
        Assert.Equal("j-0000000004000000", JobIdGenerator.Format(1, 0));
    }
}
