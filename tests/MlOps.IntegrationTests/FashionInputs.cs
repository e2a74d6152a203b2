using Google.Protobuf;
using MlOps.Contracts.Inference;
using MlOps.Core.Datasets;

namespace MlOps.IntegrationTests;

/// <summary>Test-split images as the trained models take them, and the class a score vector picks.</summary>
internal static class FashionInputs
{
    /// <summary>Image <paramref name="index"/> of <paramref name="split"/>, as the trainer normalises pixels (the
    /// exporter records the same mean and std in the model's metadata).</summary>
    public static float[] Normalized(ImageSplit split, int index)
    {
        const float mean = 0.2860f;
        const float std = 0.3530f;
        var pixels = new float[split.PixelsPerImage];
        for (var p = 0; p < pixels.Length; p++)
        {
            pixels[p] = ((split.Pixels[(index * split.PixelsPerImage) + p] / 255f) - mean) / std;
        }

        return pixels;
    }

    /// <summary>A batch-1 FP32 request for <paramref name="model"/> (no version: the deployment's split picks it).</summary>
    public static ModelInferRequest Request(string model, float[] pixels, ImageSplit split)
    {
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, split.Height, split.Width } });
        var raw = new byte[pixels.Length * sizeof(float)];
        Buffer.BlockCopy(pixels, 0, raw, 0, raw.Length);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        return request;
    }

    public static float[] Floats(ByteString bytes)
    {
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes.ToByteArray(), 0, values, 0, bytes.Length);
        return values;
    }

    public static int ArgMax(float[] scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        return best;
    }
}
