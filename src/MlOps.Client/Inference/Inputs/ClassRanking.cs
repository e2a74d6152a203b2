namespace MlOps.Client.Inference.Inputs;

/// <summary>The most likely classes of one row of a classifier output, best first.</summary>
/// <param name="Row">The row (batch index) ranked.</param>
/// <param name="FromLogits">True when the probabilities are a softmax of the model's raw scores.</param>
/// <param name="Top">The classes kept, by descending probability (ties: lower class first).</param>
public sealed record ClassRanking(int Row, bool FromLogits, IReadOnlyList<ClassScore> Top);

/// <summary>A class index and its probability.</summary>
/// <param name="Class">Index along the class dimension.</param>
/// <param name="Probability">Between 0 and 1.</param>
public readonly record struct ClassScore(int Class, double Probability);
