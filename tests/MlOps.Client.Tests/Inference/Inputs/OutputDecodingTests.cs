using System.Buffers.Binary;
using Google.Protobuf;
using MlOps.Client.Inference.Inputs;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Tests.Inference.Inputs;

public sealed class OutputDecodingTests
{
    [Fact]
    public void Decode_RawFp32Output_ReturnsValuesNameAndShape()
    {
        var response = Response(("probs", "FP32", [1, 3], Fp32(0.25f, 0.5f, 0.25f)));

        var output = Assert.Single(OutputDecoding.Decode(response));

        Assert.Equal(("probs", "FP32", 3L), (output.Name, output.Datatype, output.ElementCount));
        Assert.Equal(new long[] { 1, 3 }, output.Shape);
        Assert.Equal(new[] { 0.25f, 0.5f, 0.25f }, output.ToSingles());
        Assert.Equal(new[] { 0.25, 0.5, 0.25 }, output.ToDoubles());
    }

    [Theory]
    [InlineData("BOOL", "[true,false]", new[] { 1.0, 0.0 })]
    [InlineData("UINT8", "[0,255]", new[] { 0.0, 255.0 })]
    [InlineData("INT8", "[-128,127]", new[] { -128.0, 127.0 })]
    [InlineData("UINT16", "[65535]", new[] { 65535.0 })]
    [InlineData("INT16", "[-300]", new[] { -300.0 })]
    [InlineData("UINT32", "[4294967295]", new[] { 4294967295.0 })]
    [InlineData("INT32", "[-7]", new[] { -7.0 })]
    [InlineData("UINT64", "[123]", new[] { 123.0 })]
    [InlineData("INT64", "[-123]", new[] { -123.0 })]
    [InlineData("FP16", "[0.5,-2,65504]", new[] { 0.5, -2.0, 65504.0 })]
    [InlineData("BF16", "[0.5,-2,1.5]", new[] { 0.5, -2.0, 1.5 })]
    [InlineData("FP32", "[0.5,-2]", new[] { 0.5, -2.0 })]
    [InlineData("FP64", "[0.1,-2]", new[] { 0.1, -2.0 })]
    public void Decode_WhatTheJsonReaderEncoded_ReadsTheSameValues(string datatype, string data, double[] expected)
    {
        var request = JsonInferenceInput.Parse($$"""{"inputs":[{"name":"x","datatype":"{{datatype}}","data":{{data}}}]}""");
        var response = Response(("x", datatype, [expected.Length], request.RawInputContents[0].ToByteArray()));

        var output = OutputDecoding.Decode(response)[0];

        Assert.Equal(expected, output.ToDoubles());
    }

    [Fact]
    public void ToInt64s_Int64Output_ReturnsExactValues()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, long.MaxValue);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), -5);

        var output = OutputDecoding.Decode(Response(("labels", "INT64", [2], bytes)))[0];

        Assert.Equal(new[] { long.MaxValue, -5 }, output.ToInt64s());
    }

    [Fact]
    public void ToInt64s_FloatOutput_Throws()
    {
        var output = OutputDecoding.Decode(Response(("x", "FP32", [1], Fp32(1))))[0];

        Assert.Throws<InvalidOperationException>(output.ToInt64s);
    }

    [Fact]
    public void ToStrings_BytesOutput_DecodesEachElement()
    {
        var request = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","datatype":"BYTES","data":["shirt","","bag"]}]}""");

        var output = OutputDecoding.Decode(Response(("label", "BYTES", [3], request.RawInputContents[0].ToByteArray())))[0];

        Assert.Equal(["shirt", "", "bag"], output.ToStrings());
        Assert.Throws<InvalidOperationException>(() => output.ToDoubles());
    }

    [Fact]
    public void Decode_TypedContentsWithoutRaw_ReadsThem()
    {
        var response = new ModelInferResponse();
        var fp = new ModelInferResponse.Types.InferOutputTensor { Name = "p", Datatype = "FP32", Shape = { 2 }, Contents = new() };
        fp.Contents.Fp32Contents.Add([0.5f, 1.5f]);
        var small = new ModelInferResponse.Types.InferOutputTensor { Name = "i", Datatype = "INT8", Shape = { 2 }, Contents = new() };
        small.Contents.IntContents.Add([-3, 4]);
        response.Outputs.Add([fp, small]);

        var outputs = OutputDecoding.Decode(response);

        Assert.Equal(new[] { 0.5f, 1.5f }, outputs[0].ToSingles());
        Assert.Equal(new long[] { -3, 4 }, outputs[1].ToInt64s());
    }

    [Fact]
    public void Decode_ByteLengthNotMatchingShape_ThrowsNamingTheOutput()
    {
        var response = Response(("probs", "FP32", [1, 10], Fp32(1, 2, 3)));

        var error = Assert.Throws<InvalidDataException>(() => OutputDecoding.Decode(response));

        Assert.Equal("output 'probs' has 12 bytes, but shape [1,10] of FP32 takes 40", error.Message);
    }

    [Fact]
    public void Decode_BytesElementPastTheEnd_Throws()
    {
        var response = Response(("s", "BYTES", [1], [9, 0, 0, 0, 65]));

        var error = Assert.Throws<InvalidDataException>(() => OutputDecoding.Decode(response));

        Assert.Equal("output 's': BYTES element 0 runs past the end of the data", error.Message);
    }

    [Fact]
    public void Decode_FewerRawContentsThanOutputs_Throws()
    {
        var response = Response(("a", "FP32", [1], Fp32(1)), ("b", "FP32", [1], Fp32(2)));
        response.RawOutputContents.RemoveAt(1);

        Assert.Throws<InvalidDataException>(() => OutputDecoding.Decode(response));
    }

    [Fact]
    public void TopClasses_Logits_AppliesSoftmaxAndKeepsTheBestK()
    {
        var output = Decoded("logits", [1, 3], 1, 2, 3);

        var ranking = Assert.Single(OutputDecoding.TopClasses(output, k: 2));

        Assert.True(ranking.FromLogits);
        Assert.Equal([2, 1], ranking.Top.Select(s => s.Class));
        Assert.Equal(0.665241, ranking.Top[0].Probability, 5);
        Assert.Equal(0.244728, ranking.Top[1].Probability, 5);
    }

    [Fact]
    public void TopClasses_RowAlreadyADistribution_UsesItAsIs()
    {
        var output = Decoded("probs", [1, 4], 0.1f, 0.6f, 0.2f, 0.1f);

        var ranking = OutputDecoding.TopClasses(output, k: 3)[0];

        Assert.False(ranking.FromLogits);
        Assert.Equal([1, 2, 0], ranking.Top.Select(s => s.Class));
        Assert.Equal(0.6, ranking.Top[0].Probability, 6);
    }

    [Fact]
    public void TopClasses_ToldTheyAreLogits_AppliesSoftmaxEvenToADistribution()
    {
        var output = Decoded("x", [2], 0f, 1f);

        var ranking = OutputDecoding.TopClasses(output, k: 5, probabilities: false)[0];

        Assert.True(ranking.FromLogits);
        Assert.Equal(2, ranking.Top.Count);
        Assert.Equal(1 / (1 + Math.Exp(-1)), ranking.Top[0].Probability, 6);
    }

    [Fact]
    public void TopClasses_BatchOfTwo_RanksEachRow()
    {
        var output = Decoded("logits", [2, 3], 5, 0, 0, -1, 0, 9);

        var rankings = OutputDecoding.TopClasses(output, k: 1);

        Assert.Equal([(0, 0), (1, 2)], rankings.Select(r => (r.Row, r.Top[0].Class)));
    }

    [Fact]
    public void TopClasses_HugeLogits_DoNotOverflow()
    {
        var output = Decoded("logits", [1, 2], 1000, 1001);

        var top = OutputDecoding.TopClasses(output, k: 2)[0].Top;

        Assert.Equal(1 / (1 + Math.Exp(-1)), top[0].Probability, 6);
        Assert.Equal(1, top.Sum(s => s.Probability), 9);
    }

    [Fact]
    public void TopClasses_IntegerOutput_Throws()
    {
        var output = OutputDecoding.Decode(Response(("labels", "INT64", [1], new byte[8])))[0];

        Assert.Throws<ArgumentException>(() => OutputDecoding.TopClasses(output, k: 1));
    }

    [Fact]
    public void TopClasses_ThreeDimensionalOutput_Throws()
    {
        var output = Decoded("maps", [1, 1, 2], 0, 1);

        var error = Assert.Throws<ArgumentException>(() => OutputDecoding.TopClasses(output, k: 1));

        Assert.StartsWith("output 'maps' has shape [1,1,2]", error.Message);
    }

    private static DecodedOutput Decoded(string name, long[] shape, params float[] values) =>
        OutputDecoding.Decode(Response((name, "FP32", shape, Fp32(values))))[0];

    private static byte[] Fp32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    private static ModelInferResponse Response(params (string Name, string Datatype, long[] Shape, byte[] Raw)[] outputs)
    {
        var response = new ModelInferResponse { ModelName = "m" };
        foreach (var (name, datatype, shape, raw) in outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = name, Datatype = datatype };
            tensor.Shape.Add(shape);
            response.Outputs.Add(tensor);
            response.RawOutputContents.Add(ByteString.CopyFrom(raw));
        }

        return response;
    }
}
