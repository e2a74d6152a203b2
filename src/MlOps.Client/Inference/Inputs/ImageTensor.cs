using System.Buffers.Binary;
using Google.Protobuf;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Turns a gray image into the FP32 input a model's metadata asks for: resized to the input's height and width
/// when they differ (see <see cref="ImagePreprocessing"/> for the value mapping), batch 1, as raw bytes.
/// </summary>
/// <remarks>
/// Shapes taken (a leading -1 or 1 is the batch): <c>[-1, 1, H, W]</c> and <c>[-1, H, W, 1]</c>,
/// <c>[-1, H, W]</c>, <c>[-1, H·W]</c> for a square image, and the same with 3 channels, which get the gray
/// value each. A -1 height or width keeps the image's own.
/// </remarks>
public static class ImageTensor
{
    /// <summary>The datatype an image input must have.</summary>
    public const string DataType = "FP32";

    /// <summary>Encodes <paramref name="image"/> for the only input of <paramref name="model"/>.</summary>
    /// <exception cref="InferenceInputException">The model has not exactly one input, or it cannot take an image.</exception>
    public static RawInput Create(GrayscaleImage image, ModelMetadataResponse model, ImagePreprocessing? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Inputs.Count != 1)
        {
            throw new InferenceInputException(
                $"model '{model.Name}'",
                $"an image needs a model with exactly one input, this one has {model.Inputs.Count} ({string.Join(", ", model.Inputs.Select(i => i.Name))})");
        }

        return Create(image, model.Inputs[0], preprocessing);
    }

    /// <summary>Encodes <paramref name="image"/> for the model input <paramref name="input"/>.</summary>
    /// <exception cref="InferenceInputException">The input is not FP32, or its shape has no height and width.</exception>
    /// <exception cref="ArgumentException">The preprocessing's mean or standard deviation is not usable.</exception>
    public static RawInput Create(
        GrayscaleImage image, ModelMetadataResponse.Types.TensorMetadata input, ImagePreprocessing? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (layout, values) = Encode(image, input, preprocessing);
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = DataType };
        tensor.Shape.Add(layout.Shape);
        return new RawInput(tensor, UnsafeByteOperations.UnsafeWrap(bytes));
    }

    /// <summary>The layout and the values in element order, before they become bytes.</summary>
    internal static (ImageLayout Layout, float[] Values) Encode(
        GrayscaleImage image, ModelMetadataResponse.Types.TensorMetadata input, ImagePreprocessing? preprocessing)
    {
        ArgumentNullException.ThrowIfNull(image);
        preprocessing ??= ImagePreprocessing.Default;
        preprocessing.Validate();
        if (input.Datatype != DataType)
        {
            throw new InferenceInputException(
                $"input '{input.Name}'", $"takes {input.Datatype}, but an image can only be fed to an {DataType} input");
        }

        var layout = ImageLayout.From(input, image);
        var gray = ImageResampler.Resize(image, layout.Width, layout.Height);
        var values = new float[layout.ElementCount];
        var plane = layout.Height * layout.Width;
        for (var p = 0; p < plane; p++)
        {
            var x = gray[p] / 255f;
            if (preprocessing.Invert)
            {
                x = 1 - x;
            }

            x = (x - preprocessing.Mean) / preprocessing.Std;
            for (var c = 0; c < layout.Channels; c++)
            {
                values[layout.ChannelsLast ? (p * layout.Channels) + c : (c * plane) + p] = x;
            }
        }

        return (layout, values);
    }
}
