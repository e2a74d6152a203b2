namespace MlOps.Cli.Tests.EndToEnd;

/// <summary>Job spec files for the tests.</summary>
internal static class SpecYaml
{
    public const string Valid = """
        name: mnist-quick
        dataset: fashion-mnist
        seed: 7
        model:
          input_shape: [1, 28, 28]
          layers:
            - flatten
            - linear: 64
            - relu
            - linear: 10
        hyper_parameters:
          optimizer: adam
          learning_rate: 0.001
          batch_size: 64
          epochs: 2
        """;
}
