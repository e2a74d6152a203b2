using Microsoft.Extensions.Time.Testing;
using MlOps.Core.Jobs;
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

    [Theory]
    [InlineData("j-06h1v55f9gq5619j", true)]
    [InlineData("j-06h1v55f9gq5619", false)]
    [InlineData("j-06h1v55f9gq5619J", false)]
    [InlineData("j-06h1v55f9gq5619u", false)]
    [InlineData("x-06h1v55f9gq5619j", false)]
    [InlineData("", false)]
    public void IsValid_OnlyTheGeneratorsForm(string id, bool valid)
    {
        Assert.Equal(valid, JobIdGenerator.IsValid(id));
        Assert.True(JobIdGenerator.IsValid(new JobIdGenerator(TimeProvider.System).Next()));
    }
}
