using MlOps.Discovery.Http;

namespace MlOps.Discovery.Tests.Http;

public sealed class BlockingIndexTests
{
    [Fact]
    public void Next_FirstRead_TakesReturnedIndex()
    {
        Assert.Equal(17UL, BlockingIndex.Next(0, 17, out var reset));
        Assert.False(reset);
    }

    [Fact]
    public void Next_DataChanged_TakesHigherIndex()
    {
        Assert.Equal(20UL, BlockingIndex.Next(17, 20, out var reset));
        Assert.False(reset);
    }

    [Fact]
    public void Next_WaitEndedWithoutChange_KeepsSameIndex()
    {
        Assert.Equal(17UL, BlockingIndex.Next(17, 17, out var reset));
        Assert.False(reset);
    }

    [Fact]
    public void Next_IndexWentBackwards_ResetsToZero()
    {
        Assert.Equal(0UL, BlockingIndex.Next(500, 12, out var reset));
        Assert.True(reset);
    }

    [Fact]
    public void Next_ServerSentZero_ClampsToOneSoTheNextQueryBlocks()
    {
        Assert.Equal(1UL, BlockingIndex.Next(0, 0, out var reset));
        Assert.False(reset);
    }
}
