using MlOps.Client.Inference.Inputs;

namespace MlOps.Client.Tests.Inference.Inputs;

public class ImagePreprocessingTests
{
    [Fact]
    public void FromModelParameters_RecordedMeanAndStd_Used()
    {
        var parameters = new Dictionary<string, string> { ["mlops.input_mean"] = "0.2860", ["mlops.input_std"] = "0.3530" };

        var preprocessing = ImagePreprocessing.FromModelParameters(k => parameters.GetValueOrDefault(k), invert: true);

        Assert.Equal((0.2860f, 0.3530f, true), (preprocessing.Mean, preprocessing.Std, preprocessing.Invert));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a number")]
    public void FromModelParameters_AbsentOrNotANumber_Defaults(string? value)
    {
        var preprocessing = ImagePreprocessing.FromModelParameters(_ => value);

        Assert.Equal((0f, 1f, false), (preprocessing.Mean, preprocessing.Std, preprocessing.Invert));
    }
}
