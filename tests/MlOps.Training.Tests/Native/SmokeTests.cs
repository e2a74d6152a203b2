using MlOps.Training.Native;
using TorchSharp;

namespace MlOps.Training.Tests.Native;

public class SmokeTests
{
    [Fact]
    public void Smoke()
    {
        var o = TorchSharpLoader.EnsureLoaded();
        using var a = torch.ones(3);
        using var b = a + a;
        Assert.Equal(2f, b[0].item<float>());
        Assert.Equal(LoaderPath.CompatCopy, o.Path);
    }
}
