using MlOps.Client.Inference.Inputs;

namespace MlOps.Client.Tests.Inference.Inputs;

public sealed class Crc32Tests
{
    [Fact]
    public void Compute_StandardCheckInput_ReturnsCheckValue()
    {
        // The published check value of CRC-32/ISO-HDLC, the variant PNG uses.
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void Compute_IendChunk_ReturnsTheCrcEveryPngEndsWith()
    {
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8));
    }

    [Fact]
    public void Compute_TwoParts_EqualsTheWhole()
    {
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Compute("1234"u8, "56789"u8));
    }
}
