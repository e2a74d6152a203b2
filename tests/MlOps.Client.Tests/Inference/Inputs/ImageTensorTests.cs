using System.Buffers.Binary;
using MlOps.Client.Inference.Inputs;
using MlOps.Client.Tests.Support;

namespace MlOps.Client.Tests.Inference.Inputs;

public sealed class ImageTensorTests
{
    [Fact]
    public void Create_28x28ImageForNchwInput_ScalesEachPixelToUnitRange()
    {
        var image = Image(28, 28, (x, y) => (byte)((x * 9) + y));

        var input = ImageTensor.Create(image, Models.Tensor("input", "FP32", -1, 1, 28, 28));

        Assert.Equal("input", input.Tensor.Name);
        Assert.Equal("FP32", input.Tensor.Datatype);
        Assert.Equal(new long[] { 1, 1, 28, 28 }, input.Tensor.Shape);
        var values = Floats(input);
        Assert.Equal(784, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(image.Pixels[i] / 255f, values[i]);
        }
    }

    [Theory]
    [InlineData(new long[] { -1, 784 }, new long[] { 1, 784 })]
    [InlineData(new long[] { -1, 28, 28 }, new long[] { 1, 28, 28 })]
    [InlineData(new long[] { 1, 28, 28, 1 }, new long[] { 1, 28, 28, 1 })]
    [InlineData(new long[] { 28, 28 }, new long[] { 28, 28 })]
    [InlineData(new long[] { 784 }, new long[] { 784 })]
    [InlineData(new long[] { -1, 1, -1, -1 }, new long[] { 1, 1, 28, 28 })]
    public void Create_ShapesWithOneChannel_SameValuesInModelShape(long[] modelShape, long[] expectedShape)
    {
        var image = Image(28, 28, (x, y) => (byte)(x * y));
        var reference = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 1, 28, 28)));

        var input = ImageTensor.Create(image, Models.Tensor("x", "FP32", modelShape));

        Assert.Equal(expectedShape, input.Tensor.Shape);
        Assert.Equal(reference, Floats(input));
    }

    [Fact]
    public void Create_56x56Image_AveragesEveryTwoByTwoBlock()
    {
        var image = Image(56, 56, (x, y) => (byte)(((x % 2) * 100) + ((y % 2) * 40) + x));

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 1, 28, 28)));

        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                var block = image[2 * x, 2 * y] + image[(2 * x) + 1, 2 * y] + image[2 * x, (2 * y) + 1] + image[(2 * x) + 1, (2 * y) + 1];
                Assert.Equal(block / 4f / 255f, values[(y * 28) + x], 6);
            }
        }
    }

    [Fact]
    public void Create_ThreeToTwoColumns_WeighsPartlyCoveredPixels()
    {
        // Output 0 covers source [0, 1.5): 0 and half of 90; output 1 covers [1.5, 3): half of 90 and 180.
        var image = new GrayscaleImage(3, 1, [0, 90, 180]);

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 1, 2)));

        Assert.Equal(30 / 255f, values[0], 6);
        Assert.Equal(150 / 255f, values[1], 6);
    }

    [Fact]
    public void Create_TwoToFourColumns_InterpolatesBilinearly()
    {
        var image = new GrayscaleImage(2, 1, [0, 200]);

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 1, 4)));

        Assert.Equal(new[] { 0f, 50 / 255f, 150 / 255f, 200 / 255f }, values);
    }

    [Fact]
    public void Create_14x14ToDouble_KeepsAConstantImageConstant()
    {
        var image = Image(14, 14, (_, _) => 77);

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 28, 28)));

        Assert.All(values, v => Assert.Equal(77 / 255f, v, 6));
    }

    [Fact]
    public void Create_MeanAndStd_NormalisesScaledPixels()
    {
        var image = new GrayscaleImage(2, 1, [0, 51]);
        var preprocessing = new ImagePreprocessing { Mean = 0.2860f, Std = 0.3530f };

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 1, 2), preprocessing));

        Assert.Equal((0f - 0.2860f) / 0.3530f, values[0], 5);
        Assert.Equal((0.2f - 0.2860f) / 0.3530f, values[1], 5);
    }

    [Fact]
    public void Create_Invert_FlipsBeforeNormalising()
    {
        var image = new GrayscaleImage(2, 1, [0, 51]);
        var preprocessing = new ImagePreprocessing { Mean = 0.5f, Std = 0.25f, Invert = true };

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", -1, 1, 2), preprocessing));

        Assert.Equal(2f, values[0], 5);
        Assert.Equal(1.2f, values[1], 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Create_ThreeChannels_RepeatsGrayInEachChannel(bool channelsLast)
    {
        var image = new GrayscaleImage(1, 2, [0, 255]);
        long[] shape = channelsLast ? [-1, 2, 1, 3] : [-1, 3, 2, 1];

        var values = Floats(ImageTensor.Create(image, Models.Tensor("x", "FP32", shape)));

        Assert.Equal(channelsLast ? [0, 0, 0, 1, 1, 1] : new float[] { 0, 1, 0, 1, 0, 1 }, values);
    }

    [Fact]
    public void Create_ModelWithOneInput_UsesThatInput()
    {
        var model = Models.Metadata("fashion", Models.Tensor("pixels", "FP32", -1, 784));

        var input = ImageTensor.Create(Image(28, 28, (_, _) => 0), model);

        Assert.Equal("pixels", input.Tensor.Name);
    }

    [Fact]
    public void Create_ModelWithTwoInputs_ThrowsNamingThem()
    {
        var model = Models.Metadata("pair", Models.Tensor("a", "FP32", -1, 784), Models.Tensor("b", "FP32", -1, 784));

        var error = Assert.Throws<InferenceInputException>(() => ImageTensor.Create(Image(28, 28, (_, _) => 0), model));

        Assert.Equal("model 'pair': an image needs a model with exactly one input, this one has 2 (a, b)", error.Message);
    }

    [Fact]
    public void Create_Fp64Input_ThrowsNamingInputAndDatatype()
    {
        var error = Assert.Throws<InferenceInputException>(
            () => ImageTensor.Create(Image(28, 28, (_, _) => 0), Models.Tensor("x", "FP64", -1, 784)));

        Assert.Equal("input 'x'", error.Field);
        Assert.Equal("input 'x': takes FP64, but an image can only be fed to an FP32 input", error.Message);
    }

    [Theory]
    [InlineData(new long[] { -1, 785 }, "785 features are not a square image")]
    [InlineData(new long[] { -1 }, "-1 features are not a square image")]
    [InlineData(new long[] { -1, 10, 5, 7 }, "no channel dimension of 1 or 3")]
    [InlineData(new long[] { -1, 1, 2, 3, 4 }, "4 dimensions after the batch")]
    [InlineData(new long[] { }, "it is a scalar")]
    [InlineData(new long[] { -1, 0, 28 }, "zero or negative dimension")]
    [InlineData(new long[] { -1, 28, -1, 1, 1 }, "4 dimensions after the batch")]
    public void Create_ShapeWithoutHeightAndWidth_ThrowsNamingInputAndShape(long[] shape, string why)
    {
        var error = Assert.Throws<InferenceInputException>(
            () => ImageTensor.Create(Image(28, 28, (_, _) => 0), Models.Tensor("x", "FP32", shape)));

        Assert.StartsWith($"input 'x': shape [{string.Join(",", shape)}] cannot take an image: ", error.Message);
        Assert.Contains(why, error.Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Create_UnusableStd_ThrowsArgumentException(float std)
    {
        var preprocessing = new ImagePreprocessing { Std = std };

        Assert.Throws<ArgumentException>(() => ImageTensor.Create(Image(2, 2, (_, _) => 0), Models.Tensor("x", "FP32", -1, 4), preprocessing));
    }

    [Fact]
    public void AddTo_Request_KeepsInputsAndRawContentsInStep()
    {
        var request = new MlOps.Contracts.Inference.ModelInferRequest();

        ImageTensor.Create(Image(2, 2, (_, _) => 255), Models.Tensor("x", "FP32", -1, 4)).AddTo(request);

        Assert.Single(request.Inputs);
        Assert.Equal(16, Assert.Single(request.RawInputContents).Length);
    }

    [Fact]
    public void GrayscaleImage_WrongPixelCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => new GrayscaleImage(3, 3, new byte[8]));
    }

    private static GrayscaleImage Image(int width, int height, Func<int, int, byte> pixel)
    {
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = pixel(x, y);
            }
        }

        return new GrayscaleImage(width, height, pixels);
    }

    private static float[] Floats(RawInput input)
    {
        var bytes = input.Contents.Span;
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        }

        return values;
    }
}
