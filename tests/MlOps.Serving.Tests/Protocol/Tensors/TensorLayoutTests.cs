using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Tests.Protocol.Tensors;

public sealed class TensorLayoutTests
{
    [Theory]
    [InlineData(new long[0], 1)]
    [InlineData(new long[] { 0, 4 }, 0)]
    [InlineData(new long[] { 2, 3, 4 }, 24)]
    public void ElementCount_ValidShape_ProductOfDims(long[] shape, long expected)
    {
        Assert.Equal(expected, TensorLayout.ElementCount("x", "FP32", shape));
    }

    [Theory]
    [InlineData("FP32", new long[] { 2, -1 }, "input 'x' has a negative dimension in shape [2,-1]")]
    [InlineData("FP32", new long[] { long.MaxValue, 4 }, "input 'x' shape [9223372036854775807,4] has too many elements")]
    [InlineData("Fp32", new long[] { 1 }, "input 'x' has unknown datatype 'Fp32'")]
    [InlineData("", new long[] { 1 }, "input 'x' has no datatype")]
    public void ElementCount_BadHeader_InvalidArgumentNamingIt(string dataType, long[] shape, string message)
    {
        var error = Assert.Throws<InferenceException>(() => TensorLayout.ElementCount("x", dataType, shape));

        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FP16", 2, 4, true)]
    [InlineData("FP64", 2, 16, true)]
    [InlineData("INT64", 2, 15, false)]
    [InlineData("BOOL", 3, 3, true)]
    [InlineData("UINT8", 3, 4, false)]
    public void Validate_FixedSizeDatatype_ByteLengthMustMatch(string dataType, long count, int bytes, bool valid)
    {
        var tensor = new InferenceTensor("x", dataType, [count], new byte[bytes]);

        var error = Record.Exception(() => TensorLayout.Validate(tensor));

        Assert.Equal(valid, error is null);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 65, 0, 0, 0, 0 }, 2, null)]
    [InlineData(new byte[] { 1, 0, 0, 0, 65, 0, 0 }, 2, "element 1 of 2 has no 4-byte length prefix")]
    [InlineData(new byte[] { 5, 0, 0, 0, 65 }, 1, "element 0 of 1 declares 5 bytes, 1 remain")]
    [InlineData(new byte[] { 0, 0, 0, 0, 7 }, 1, "input 'x' BYTES data has 1 bytes after its 1 elements")]
    [InlineData(new byte[] { 255, 255, 255, 255 }, 1, "declares 4294967295 bytes")]
    public void ValidateBytes_LengthPrefixes_WalkedToTheEnd(byte[] data, long count, string? message)
    {
        var error = Record.Exception(() => TensorLayout.ValidateBytes("x", count, data));

        if (message is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(message, Assert.IsType<InferenceException>(error).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1.5f, 0x3FC0)]
    [InlineData(-2f, 0xC000)]
    [InlineData(1.00390625f, 0x3F80)] // exactly halfway: rounds to even
    [InlineData(1.01171875f, 0x3F82)] // halfway above an odd mantissa: rounds up
    public void BFloat16_FromSingle_RoundsToNearestEven(float value, int expected)
    {
        Assert.Equal((ushort)expected, BFloat16.FromSingle(value));
        Assert.Equal(BFloat16.ToSingle((ushort)expected), BFloat16.ToSingle(BFloat16.FromSingle(value)));
    }

    [Fact]
    public void BFloat16_NaN_StaysNaN()
    {
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(float.NaN))));
    }
}
