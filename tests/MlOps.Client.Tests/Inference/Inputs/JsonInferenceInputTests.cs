using MlOps.Client.Inference.Inputs;
using MlOps.Client.Tests.Support;

namespace MlOps.Client.Tests.Inference.Inputs;

public sealed class JsonInferenceInputTests
{
    [Fact]
    public void Parse_FlatFp32Data_EncodesLittleEndianWithGivenShape()
    {
        var request = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1,-2.5,0,0.5]}]}""");

        var input = Assert.Single(request.Inputs);
        Assert.Equal(("x", "FP32"), (input.Name, input.Datatype));
        Assert.Equal(new long[] { 2, 2 }, input.Shape);
        Assert.Null(input.Contents);
        Assert.Equal("0000803F000020C0000000000000003F", Convert.ToHexString(request.RawInputContents[0].Span));
    }

    [Fact]
    public void Parse_NestedData_EncodesRowMajorLikeFlat()
    {
        var flat = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","shape":[2,3],"datatype":"INT32","data":[1,2,3,4,5,6]}]}""");

        var nested = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","shape":[2,3],"datatype":"INT32","data":[[1,2,3],[4,5,6]]}]}""");

        Assert.Equal(flat.RawInputContents[0], nested.RawInputContents[0]);
    }

    [Theory]
    [InlineData("BOOL", "[true,false,1,0]", "01000100")]
    [InlineData("UINT8", "[0,255]", "00FF")]
    [InlineData("UINT16", "[1,65535]", "0100FFFF")]
    [InlineData("UINT32", "[1,4294967295]", "01000000FFFFFFFF")]
    [InlineData("UINT64", "[1,18446744073709551615]", "0100000000000000FFFFFFFFFFFFFFFF")]
    [InlineData("INT8", "[-128,127]", "807F")]
    [InlineData("INT16", "[-2,258]", "FEFF0201")]
    [InlineData("INT32", "[-1,16909060]", "FFFFFFFF04030201")]
    [InlineData("INT32", "[2.0,1e3]", "02000000E8030000")]
    [InlineData("INT64", "[-9223372036854775808,2]", "00000000000000800200000000000000")]
    [InlineData("FP16", "[1.0,-2]", "003C00C0")]
    [InlineData("FP16", "[65504,\"-Infinity\"]", "FF7B00FC")]
    [InlineData("BF16", "[1.0,-2]", "803F00C0")]
    [InlineData("BF16", "[1.00390625]", "803F")]
    [InlineData("FP32", "[1.0,\"Infinity\"]", "0000803F0000807F")]
    [InlineData("FP64", "[1.0,\"-Infinity\"]", "000000000000F03F000000000000F0FF")]
    [InlineData("BYTES", "[\"ab\",\"\",\"\u00e9\"]", "0200000061620000000002000000C3A9")]
    public void Parse_EachDatatype_EncodesTheProtocolsRawForm(string datatype, string data, string expectedHex)
    {
        var count = System.Text.Json.JsonDocument.Parse(data).RootElement.GetArrayLength();

        var request = JsonInferenceInput.Parse($$"""{"inputs":[{"name":"x","shape":[{{count}}],"datatype":"{{datatype}}","data":{{data}}}]}""");

        Assert.Equal(expectedHex, Convert.ToHexString(request.RawInputContents[0].Span));
    }

    [Fact]
    public void Parse_NanString_EncodesNan()
    {
        var request = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":["NaN"]}]}""");

        Assert.True(float.IsNaN(BitConverter.ToSingle(request.RawInputContents[0].Span)));
    }

    [Fact]
    public void Parse_IdParametersAndOutputs_AreCopied()
    {
        var request = JsonInferenceInput.Parse("""
            {
              "id": "req-1",
              "parameters": {"flag": true, "count": 3, "big": 18446744073709551615, "ratio": 0.5, "label": "a"},
              "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1], "parameters": {"note": "n"}}],
              "outputs": [{"name": "probs", "parameters": {"classification": 3}}], // comments and trailing commas are fine
            }
            """);

        Assert.Equal("req-1", request.Id);
        Assert.True(request.Parameters["flag"].BoolParam);
        Assert.Equal(3, request.Parameters["count"].Int64Param);
        Assert.Equal(ulong.MaxValue, request.Parameters["big"].Uint64Param);
        Assert.Equal(0.5, request.Parameters["ratio"].DoubleParam);
        Assert.Equal("a", request.Parameters["label"].StringParam);
        Assert.Equal("n", request.Inputs[0].Parameters["note"].StringParam);
        var output = Assert.Single(request.Outputs);
        Assert.Equal("probs", output.Name);
        Assert.Equal(3, output.Parameters["classification"].Int64Param);
    }

    [Fact]
    public void Parse_NoShapeWithoutMetadata_UsesTheNesting()
    {
        var request = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","datatype":"FP64","data":[[1,2,3],[4,5,6]]}]}""");

        Assert.Equal(new long[] { 2, 3 }, request.Inputs[0].Shape);
    }

    [Fact]
    public void Parse_EmptyNestedArrays_GiveZeroSizedShape()
    {
        var request = JsonInferenceInput.Parse("""{"inputs":[{"name":"x","datatype":"FP32","data":[[],[]]}]}""");

        Assert.Equal(new long[] { 2, 0 }, request.Inputs[0].Shape);
        Assert.True(request.RawInputContents[0].IsEmpty);
    }

    [Fact]
    public void Load_FileOnDisk_Parses()
    {
        using var directory = new MlOps.Testing.TempDirectory();
        var path = directory.Combine("request.json");
        File.WriteAllText(path, """{"inputs":[{"name":"x","shape":[1],"datatype":"UINT8","data":[7]}]}""");

        var request = JsonInferenceInput.Load(path);

        Assert.Equal("07", Convert.ToHexString(request.RawInputContents[0].Span));
    }

    [Fact]
    public void Load_FileWithByteOrderMark_Parses()
    {
        using var directory = new MlOps.Testing.TempDirectory();
        var path = directory.Combine("request.json");
        File.WriteAllText(path, """{"inputs":[{"name":"x","shape":[1],"datatype":"UINT8","data":[7]}]}""", new System.Text.UTF8Encoding(true));

        var request = JsonInferenceInput.Load(path);

        Assert.Equal("x", request.Inputs[0].Name);
    }

    [Theory]
    [InlineData("[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,300]", "UINT8", "[18]", "inputs[0].data[17]: 300 does not fit UINT8 (0 to 255)")]
    [InlineData("[[1,2,3],[4,5,200]]", "INT8", "[2,3]", "inputs[0].data[1][2]: 200 does not fit INT8 (-128 to 127)")]
    [InlineData("[1.5]", "INT32", "[1]", "inputs[0].data[0]: 1.5 is not an integer")]
    [InlineData("[\"7\"]", "INT32", "[1]", "inputs[0].data[0]: expected an integer for INT32, found a string")]
    [InlineData("[-1]", "UINT64", "[1]", "inputs[0].data[0]: -1 does not fit UINT64 (0 to 18446744073709551615)")]
    [InlineData("[9223372036854775808]", "INT64", "[1]", "inputs[0].data[0]: 9223372036854775808 does not fit INT64 (-9223372036854775808 to 9223372036854775807)")]
    [InlineData("[1e30]", "INT64", "[1]", "inputs[0].data[0]: 1e30 does not fit INT64 (-9223372036854775808 to 9223372036854775807)")]
    [InlineData("[true]", "FP32", "[1]", "inputs[0].data[0]: expected a number for FP32, found a boolean")]
    [InlineData("[1e39]", "FP32", "[1]", "inputs[0].data[0]: 1e39 does not fit FP32")]
    [InlineData("[1e400]", "FP64", "[1]", "inputs[0].data[0]: 1e400 does not fit FP64")]
    [InlineData("[70000]", "FP16", "[1]", "inputs[0].data[0]: 70000 does not fit FP16")]
    [InlineData("[3.4e38]", "BF16", "[1]", "inputs[0].data[0]: 3.4e38 does not fit BF16")]
    [InlineData("[\"nan\"]", "FP32", "[1]", "inputs[0].data[0]: \"nan\" is not a number; FP32 takes numbers, \"NaN\", \"Infinity\" and \"-Infinity\"")]
    [InlineData("[2]", "BOOL", "[1]", "inputs[0].data[0]: expected true or false (or 0 or 1) for BOOL, found 2")]
    [InlineData("[5]", "BYTES", "[1]", "inputs[0].data[0]: expected a string for BYTES, found a number")]
    [InlineData("[1,2,3,4,5]", "FP32", "[2,3]", "inputs[0].data: 5 values, but shape [2,3] holds 6")]
    [InlineData("[1]", "FP32", "[1,-1]", "inputs[0].shape[1]: a dimension must be a whole number of at least 0, found -1")]
    [InlineData("[1]", "FP32", "\"1\"", "inputs[0].shape: must be an array of dimensions, found a string")]
    [InlineData("[[1,2],[3]]", "FP32", "[3]", "inputs[0].data[1]: has 1 elements where the first array at this depth has 2 (arrays must be rectangular)")]
    [InlineData("[1,[2]]", "FP32", "[2]", "inputs[0].data[1]: expected a value like the elements before it, found an array (nesting must be regular)")]
    [InlineData("[[1],2]", "FP32", "[2]", "inputs[0].data[1]: expected an array like the elements before it, found a number (nesting must be regular)")]
    [InlineData("\"abc\"", "FP32", "[1]", "inputs[0].data: must be an array, found a string")]
    [InlineData("[1]", "FLOAT32", "[1]", "inputs[0].datatype: unknown datatype 'FLOAT32'; expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16, BYTES")]
    [InlineData("[1]", "fp32", "[1]", "inputs[0].datatype: unknown datatype 'fp32' (datatypes are upper case: FP32); expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16, BYTES")]
    public void Parse_BadInput_ThrowsNamingTheField(string data, string datatype, string shape, string expected)
    {
        var json = $$"""{"inputs":[{"name":"x","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]}""";

        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse(json));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("{}", "inputs: missing; a request needs at least one input")]
    [InlineData("""{"inputs":[]}""", "inputs: empty; a request needs at least one input")]
    [InlineData("""{"inputs":{}}""", "inputs: must be an array, found an object")]
    [InlineData("""{"inputs":[5]}""", "inputs[0]: must be an object, found a number")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","shape":[1]}]}""", "inputs[0].data: missing")]
    [InlineData("""{"inputs":[{"name":"x","data":[1]}]}""", "inputs[0].datatype: missing; without the model's metadata every input needs one")]
    [InlineData("""{"inputs":[{"datatype":"FP32","data":[1]}]}""", "inputs[0].name: missing; it may be left out only for a single-input model, and the model's metadata is not known")]
    [InlineData("""{"inputs":[{"name":5,"datatype":"FP32","data":[1]}]}""", "inputs[0].name: must be a string, found a number")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1]},{"name":"x","datatype":"FP32","data":[1]}]}""", "inputs[1].name: duplicate input 'x'")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1]},{"datatype":"FP32","data":[1]}]}""", "inputs[1].name: missing; only a request with a single input may leave it out")]
    [InlineData("""{"input":[]}""", "input: unknown property; expected id, parameters, inputs, outputs")]
    [InlineData("""{"inputs":[{"name":"x","dtype":"FP32","data":[1]}]}""", "inputs[0].dtype: unknown property; expected name, shape, datatype, parameters, data")]
    [InlineData("""{"id":5,"inputs":[]}""", "id: must be a string, found a number")]
    [InlineData("""{"parameters":{"p":{}},"inputs":[]}""", "parameters.p: a parameter must be a boolean, number or string, found an object")]
    [InlineData("""{"parameters":[],"inputs":[]}""", "parameters: must be an object, found an array")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1],"parameters":{"binary_data_size":4}}]}""", "inputs[0].parameters.binary_data_size: binary tensor data cannot come from a JSON file; put the values in 'data'")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1]}],"outputs":[{}]}""", "outputs[0].name: missing")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1]}],"outputs":[{"name":"y"},{"name":"y"}]}""", "outputs[1].name: duplicate output 'y'")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1]}],"outputs":{}}""", "outputs: must be an array, found an object")]
    [InlineData("42", "$: must be an object, found a number")]
    [InlineData("[1,2]", "$: a bare array is the data of a single-input model, and the model's metadata is not known")]
    public void Parse_BadRequest_ThrowsNamingTheField(string json, string expected)
    {
        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse(json));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"inputs": [1,]""")]
    [InlineData("")]
    public void Parse_NotJson_ThrowsAtTheRoot(string json)
    {
        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse(json));

        Assert.Equal("$", error.Field);
        Assert.StartsWith("$: not valid JSON (", error.Message);
    }
}
