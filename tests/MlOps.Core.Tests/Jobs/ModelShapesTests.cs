using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Core.Tests.Jobs;

public sealed class ModelShapesTests
{
    private static ModelSpec Parse(string layers) =>
        JobSpecYaml.Parse($$"""
            name: m
            dataset: d
            model:
              input_shape: [1, 28, 28]
              layers: {{layers}}
            hyper_parameters: { optimizer: adam, learning_rate: 0.001, batch_size: 8, epochs: 1 }
            """).Model;

    private static IReadOnlyList<FieldError> Errors(string layers) =>
        JobSpecValidator.Validate(JobSpecYaml.Parse($$"""
            name: m
            dataset: d
            model:
              input_shape: [1, 28, 28]
              layers: {{layers}}
            hyper_parameters: { optimizer: adam, learning_rate: 0.001, batch_size: 8, epochs: 1 }
            """));

    [Fact]
    public void OutputShape_TwoConvCnn_IsClassCount()
    {
        var model = Parse("[{conv2d: {out_channels: 32, kernel_size: 3, padding: 1}}, batch_norm2d, relu, {max_pool2d: 2}, " +
                          "{conv2d: {out_channels: 64, kernel_size: [3, 3], stride: 1, padding: 1}}, batch_norm2d, relu, {max_pool2d: 2}, " +
                          "flatten, {linear: 128}, relu, {linear: 10}, softmax]");

        Assert.Equal([10L], ModelShapes.OutputShape(model)!);
    }

    [Theory]
    [InlineData("[{conv2d: {out_channels: 4, kernel_size: 5}}, flatten]", 4 * 24 * 24)]
    [InlineData("[{conv2d: {out_channels: 4, kernel_size: 3, stride: 2, padding: 1}}, flatten]", 4 * 14 * 14)]
    [InlineData("[{conv2d: {out_channels: 4, kernel_size: 3, dilation: 2}}, flatten]", 4 * 24 * 24)]
    [InlineData("[{avg_pool2d: {kernel_size: 3, stride: 2}}, flatten]", 13 * 13)]
    [InlineData("[{max_pool2d: [2, 4]}, flatten]", 14 * 7)]
    [InlineData("[{reshape: [28, -1]}, flatten]", 784)]
    public void OutputShape_ImageLayers_FollowTheConvolutionArithmetic(string layers, long expected)
    {
        Assert.Equal([expected], ModelShapes.OutputShape(Parse(layers))!);
    }

    [Fact]
    public void Validate_ConvOnFlatInput_NamesTheLayer()
    {
        var error = Assert.Single(Errors("[flatten, {conv2d: {out_channels: 4, kernel_size: 3}}]"));

        Assert.Equal("model.layers[1].conv2d", error.Field);
        Assert.Contains("image input", error.Message);
    }

    [Fact]
    public void Validate_ConvWithoutKernelAndBadGroups_ReportsBoth()
    {
        var fields = Errors("[{conv2d: {out_channels: 3, groups: 2}}, flatten]").Select(e => e.Field).ToList();

        Assert.Contains("model.layers[0].conv2d.kernel_size", fields);
        Assert.Contains("model.layers[0].conv2d.groups", fields);
    }

    [Fact]
    public void Validate_WindowLargerThanImage_IsAnError()
    {
        var error = Assert.Single(Errors("[{max_pool2d: 29}, flatten]"));

        Assert.Contains("does not fit", error.Message);
    }

    [Fact]
    public void Validate_SoftmaxNotLast_IsAnError()
    {
        var error = Assert.Single(Errors("[flatten, softmax, {linear: 10}]"));

        Assert.Equal("model.layers[1].softmax", error.Field);
    }

    [Fact]
    public void Validate_ReshapeThatCannotHoldTheValues_IsAnError()
    {
        Assert.Equal("model.layers[0].reshape.shape", Assert.Single(Errors("[{reshape: [5, -1]}]")).Field);
    }

    [Fact]
    public void Parse_UnsupportedLayer_SaysUnsupportedAndPosition()
    {
        var ex = Assert.Throws<SpecValidationException>(() => Parse("[flatten, {linear: 10}, {lstm: 5}]"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("model.layers[2]", error.Field);
        Assert.Contains("unsupported layer 'lstm' at position 2", error.Message);
    }

    [Fact]
    public void Validate_LayerKindUnknownToThisVersion_IsUnsupportedAtItsPosition()
    {
        var model = Parse("[flatten, {linear: 10}]");
        model.Layers.Add(new Layer());
        var spec = new JobSpec
        {
            Name = "m",
            Dataset = new DatasetRef { Name = "d" },
            Model = model,
            HyperParameters = new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.1, BatchSize = 1, Epochs = 1 },
        };

        var error = Assert.Single(JobSpecValidator.Validate(spec));

        Assert.Equal("model.layers[2]", error.Field);
        Assert.Contains("unsupported layer at position 2", error.Message);
    }
}
