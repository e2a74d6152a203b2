using Google.Protobuf;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;

namespace MlOps.Serving.Tests.Protocol.Tensors;

public sealed class TypedContentsReaderTests
{
    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public void ToRawBytes_EveryTypedDatatype_LittleEndianRowMajor(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        if (sample.Typed is null)
        {
            var error = Assert.Throws<InferenceException>(() => TypedContentsReader.ToRawBytes("x", dataType, 3, new InferTensorContents { Fp32Contents = { 1, 2, 3 } }));
            Assert.Contains("has no typed contents field; send it in raw_input_contents", error.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(sample.Raw, TypedContentsReader.ToRawBytes("x", dataType, 3, sample.Typed));
    }

    [Fact]
    public void ToRawBytes_TwoFieldsSet_InvalidArgumentNamingTheWrongField()
    {
        var contents = new InferTensorContents { Fp32Contents = { 1 }, Int64Contents = { 1 } };

        var error = Assert.Throws<InferenceException>(() => TypedContentsReader.ToRawBytes("x", "FP32", 1, contents));

        Assert.Equal("input 'x' has datatype FP32, which takes fp32_contents, but int64_contents is set", error.Message);
    }

    [Fact]
    public void ToRawBytes_EmptyContentsForNonEmptyShape_CountMismatch()
    {
        var error = Assert.Throws<InferenceException>(() => TypedContentsReader.ToRawBytes("x", "BYTES", 2, new InferTensorContents()));

        Assert.Equal("input 'x' bytes_contents has 0 elements but its shape needs 2", error.Message);
    }

    [Fact]
    public void HasAny_EmptyOrNull_False()
    {
        Assert.False(TypedContentsReader.HasAny(null));
        Assert.False(TypedContentsReader.HasAny(new InferTensorContents()));
        Assert.True(TypedContentsReader.HasAny(new InferTensorContents { BytesContents = { ByteString.Empty } }));
    }
}
