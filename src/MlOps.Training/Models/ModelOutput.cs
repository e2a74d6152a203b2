namespace MlOps.Training.Models;

/// <summary>What the built module returns for a spec that ends in softmax.</summary>
public enum ModelOutput
{
    /// <summary>Every layer of the spec: probabilities when it ends in softmax.</summary>
    AsSpecified,

    /// <summary>A trailing softmax is left out: the class scores that cross-entropy and argmax take.</summary>
    Logits,
}
