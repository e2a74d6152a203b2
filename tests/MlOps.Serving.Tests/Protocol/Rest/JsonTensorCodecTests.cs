using System.Text.Json;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Rest;
using MlOps.Serving.Tests.Protocol.Support;

namespace MlOps.Serving.Tests.Protocol.Rest;

public sealed class JsonTensorCodecTests
{
    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public void Read_EveryDatatype_LittleEndianRowMajor(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        using var json = JsonDocument.Parse(sample.Json);

        Assert.Equal(sample.Raw, JsonTensorReader.Read("x", dataType, [3], 3, json.RootElement));
    }

    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public void Write_EveryDatatype_ReadsBackToTheSameBytes(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        var written = RestResult.WriteJson(w => JsonTensorWriter.Write(w, new InferenceTensor("x", dataType, [3], sample.Raw)));
        using var json = JsonDocument.Parse(written);

        Assert.Equal(sample.Raw, JsonTensorReader.Read("x", dataType, [3], 3, json.RootElement));
    }

    [Theory]
    [InlineData("[[1,2],[3,4]]")]
    [InlineData("[1,2,3,4]")]
    [InlineData("[[[1],[2]],[[3],[4]]]")]
    public void Read_NestedOrFlat_SameRowMajorBytes(string data)
    {
        using var json = JsonDocument.Parse(data);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, JsonTensorReader.Read("x", "UINT8", [2, 2], 4, json.RootElement));
    }

    [Theory]
    [InlineData("INT32", "[1.5]", "input 'x' element 0 (1.5) is not a valid INT32")]
    [InlineData("INT8", "[200]", "input 'x' element 0 (200) is not a valid INT8")]
    [InlineData("UINT32", "[-1]", "input 'x' element 0 (-1) is not a valid UINT32")]
    [InlineData("UINT64", "[true]", "input 'x' element 0 (true) is not a valid UINT64")]
    [InlineData("FP16", "[70000]", "input 'x' element 0 (70000) is not a valid FP16")]
    [InlineData("FP32", "[1e39]", "input 'x' element 0 (1e39) is not a valid FP32")]
    [InlineData("BOOL", "[2]", "input 'x' element 0 (2) is not a valid BOOL")]
    [InlineData("BYTES", "[1]", "input 'x' element 0 (1) is not a valid BYTES")]
    [InlineData("FP32", "{\"a\":1}", "input 'x' data must be a JSON array")]
    [InlineData("FP32", "[1,2]", "input 'x' data has 2 elements but shape [1] needs 1")]
    public void Read_BadElement_InvalidArgumentNamingIt(string dataType, string data, string message)
    {
        using var json = JsonDocument.Parse(data);

        var error = Assert.Throws<InferenceException>(() => JsonTensorReader.Read("x", dataType, [1], 1, json.RootElement));

        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Write_UnknownDatatypeFromModel_Internal()
    {
        var error = Assert.Throws<InferenceException>(() =>
            RestResult.WriteJson(w => JsonTensorWriter.Write(w, new InferenceTensor("y", "COMPLEX64", [1], new byte[8]))));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
    }
}
