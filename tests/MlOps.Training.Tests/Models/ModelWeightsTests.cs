using MlOps.Testing;
using MlOps.Training.Models;
using MlOps.Training.Tests.Support;
using TorchSharp;

namespace MlOps.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class ModelWeightsTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-weights-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Extract_CnnWithBatchNorm_FloatStateDictEntriesWithShapesAndValues()
    {
        torch.manual_seed(3);
        using var model = ModelBuilder.Build(Specs.SmallCnn());

        var weights = ModelWeights.Extract(model);

        Assert.Equal(
            ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight", "5.bias", "5.weight"],
            weights.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([4L, 1L, 3L, 3L], weights["0.weight"].Shape);
        Assert.Equal(36, weights["0.weight"].Data.Length);
        Assert.Equal(model.state_dict()["0.weight"].data<float>().ToArray(), weights["0.weight"].Data);
        Assert.Equal([1f, 1f, 1f, 1f], weights["1.running_var"].Data);
    }

    [Fact]
    public void Load_SavedWeights_SameOutputsAndSameExtractedWeights()
    {
        var spec = Specs.SmallCnn();
        var path = _temp.Combine("model.dat");
        torch.manual_seed(1);
        using var trained = ModelBuilder.Build(spec);
        using (var input = torch.randn(8, 1, 28, 28))
        {
            trained.train();
            trained.forward(input).Dispose(); // moves the BatchNorm running statistics
        }

        trained.eval();
        trained.save(path);
        torch.manual_seed(2);
        using var fresh = ModelBuilder.Build(spec);

        ModelWeights.Load(fresh, path);
        fresh.eval();

        using var x = torch.randn(3, 1, 28, 28);
        Assert.True(trained.forward(x).eq(fresh.forward(x)).all().item<bool>());
        var a = ModelWeights.Extract(trained);
        var b = ModelWeights.Extract(fresh);
        Assert.All(a, p => Assert.Equal(p.Value.Data, b[p.Key].Data));
    }

    [Fact]
    public void Load_WeightsOfAnotherModel_ThrowsArgumentException()
    {
        var path = _temp.Combine("mlp.dat");
        using (var mlp = ModelBuilder.Build(Specs.Mlp(16)))
        {
            mlp.save(path);
        }

        using var cnn = ModelBuilder.Build(Specs.SmallCnn());

        var ex = Assert.Throws<ArgumentException>(() => ModelWeights.Load(cnn, path));

        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        using var model = ModelBuilder.Build(Specs.Mlp(16));

        var ex = Assert.Throws<FileNotFoundException>(() => ModelWeights.Load(model, _temp.Combine("absent.dat")));

        Assert.Equal(_temp.Combine("absent.dat"), ex.FileName);
    }
}
