using MlOps.ExportBench;
using MlOps.Training.Native;

// Usage:
//   MlOps.ExportBench export [--runs 20]
//       median ONNX export time of the MLP and CNN examples (random weights; size does not depend on values)
//   MlOps.ExportBench train EXAMPLE.yaml [--threads 2] [--epochs N] [--output DIR]
//       trains an example on the full Fashion-MNIST through the Trainer, then scores model.onnx with ONNX Runtime
TorchSharpLoader.EnsureLoaded();
var options = BenchOptions.Parse(args);
return options.Command switch
{
    "export" => ExportBenchmark.Run(options),
    "train" => ExampleTraining.Run(options),
    _ => BenchOptions.Usage(),
};
