using MlOps.Client.Inference.Inputs;
using MlOps.Client.Tests.Support;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Tests.Inference.Inputs;

/// <summary>JSON requests read with the model's metadata: what may be left out, and what is checked.</summary>
public sealed class JsonInferenceInputMetadataTests
{
    private static readonly ModelMetadataResponse Fashion = Models.Metadata("fashion", Models.Tensor("pixels", "FP32", -1, 784));

    private static readonly ModelMetadataResponse Pair =
        Models.Metadata("pair", Models.Tensor("a", "FP32", -1, 2), Models.Tensor("b", "INT64", -1, 2));

    [Fact]
    public void Parse_OnlyData_TakesNameDatatypeAndBatchFromTheModel()
    {
        var request = JsonInferenceInput.Parse($$"""{"inputs":[{"data":{{Values(1568)}}}]}""", Fashion);

        var input = Assert.Single(request.Inputs);
        Assert.Equal(("pixels", "FP32"), (input.Name, input.Datatype));
        Assert.Equal(new long[] { 2, 784 }, input.Shape);
        Assert.Equal(1568 * 4, request.RawInputContents[0].Length);
    }

    [Fact]
    public void Parse_BareArray_IsTheOnlyInputsData()
    {
        var request = JsonInferenceInput.Parse(Values(784), Fashion);

        Assert.Equal("pixels", request.Inputs[0].Name);
        Assert.Equal(new long[] { 1, 784 }, request.Inputs[0].Shape);
    }

    [Fact]
    public void Parse_FlatDataForImageModel_FillsTheBatchDimension()
    {
        var model = Models.Metadata("cnn", Models.Tensor("input", "FP32", -1, 1, 28, 28));

        var request = JsonInferenceInput.Parse(Values(784), model);

        Assert.Equal(new long[] { 1, 1, 28, 28 }, request.Inputs[0].Shape);
    }

    [Fact]
    public void Parse_NestingWithTheModelsRank_UsesTheNesting()
    {
        var model = Models.Metadata("m", Models.Tensor("x", "FP32", -1, -1));

        var request = JsonInferenceInput.Parse("""{"inputs":[{"data":[[1,2,3],[4,5,6]]}]}""", model);

        Assert.Equal(new long[] { 2, 3 }, request.Inputs[0].Shape);
    }

    [Fact]
    public void Parse_TwoInputsByName_ChecksEachAgainstTheModel()
    {
        var request = JsonInferenceInput.Parse("""{"inputs":[{"name":"b","data":[[1,2]]},{"name":"a","datatype":"FP32","shape":[1,2],"data":[1,2]}]}""", Pair);

        Assert.Equal(["b", "a"], request.Inputs.Select(i => i.Name));
        Assert.Equal("INT64", request.Inputs[0].Datatype);
        Assert.Equal(16, request.RawInputContents[0].Length);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"image","data":[1]}]}""", "inputs[0].name: model 'fashion' has no input 'image' (its inputs: pixels)")]
    [InlineData("""{"inputs":[{"datatype":"FP64","data":[1]}]}""", "inputs[0].datatype: FP64, but the model's input 'pixels' takes FP32")]
    [InlineData("""{"inputs":[{"shape":[1,785],"data":[]}]}""", "inputs[0].data: 0 values, but shape [1,785] holds 785")]
    [InlineData("""{"inputs":[{"shape":[1,2],"data":[1,2]}]}""", "inputs[0].shape: [1,2] does not fit the model's input 'pixels' of shape [-1,784]")]
    [InlineData("""{"inputs":[{"data":[1,2,3]}]}""", "inputs[0].shape: missing, and 3 values do not fill the model's shape [-1,784] (a multiple of 784 is needed)")]
    [InlineData("""{"inputs":[{"name":"pixels","data":[]}],"outputs":[{"name":"probs"}]}""", "inputs[0].shape: missing, and the data is empty; give a shape to send an empty batch")]
    [InlineData("[1,2,3]", "$: missing, and 3 values do not fill the model's shape [-1,784] (a multiple of 784 is needed)")]
    public void Parse_InputThatDoesNotFitTheModel_ThrowsNamingTheField(string json, string expected)
    {
        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse(json, Fashion));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Parse_UnknownOutput_ThrowsNamingTheModelsOutputs()
    {
        var json = $$"""{"inputs":[{"data":{{Values(784)}}}],"outputs":[{"name":"probs"}]}""";

        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse(json, Fashion));

        Assert.Equal("outputs[0].name: model 'fashion' has no output 'probs' (its outputs: output)", error.Message);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"a","data":[1,2]}]}""", "inputs: model 'pair' input 'b' is missing")]
    [InlineData("""{"inputs":[{"data":[1,2]}]}""", "inputs[0].name: missing; it may be left out only for a single-input model; model 'pair' has 2 inputs (a, b)")]
    [InlineData("[1,2]", "$: a bare array is the data of a single-input model; model 'pair' has 2 inputs (a, b)")]
    public void Parse_TwoInputModel_NeedsEveryInputByName(string json, string expected)
    {
        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse(json, Pair));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Parse_TwoVariableDimensionsAndFlatData_AsksForAShape()
    {
        var model = Models.Metadata("m", Models.Tensor("x", "FP32", -1, -1));

        var error = Assert.Throws<InferenceInputException>(() => JsonInferenceInput.Parse("[1,2,3]", model));

        Assert.Equal("$: missing, and the model's shape [-1,-1] has more than one variable dimension; give a shape or nest the data", error.Message);
    }

    private static string Values(int count) => $"[{string.Join(",", Enumerable.Range(0, count).Select(i => (i % 10) / 10.0))}]";
}
