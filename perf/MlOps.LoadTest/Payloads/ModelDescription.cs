using MlOps.Client.Inference.Inputs;
using MlOps.Contracts.Inference;

namespace MlOps.LoadTest.Payloads;

/// <summary>What the harness needs to know of a served model to build its requests.</summary>
/// <param name="Metadata">The model's inputs (name, datatype, shape) as the server reports them.</param>
/// <param name="Preprocessing">The input normalisation the model records (<see cref="ImagePreprocessing.FromModelParameters"/>).</param>
public sealed record ModelDescription(ModelMetadataResponse Metadata, ImagePreprocessing Preprocessing);
