using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Standard;

/// <summary>The notes of a standard report, and the targets among them with whether each was met.</summary>
internal sealed class StandardNotes
{
    /// <summary>What a target note's value starts with when it was met, and when it was not.</summary>
    public const string Met = "met: ";

    /// <inheritdoc cref="Met"/>
    public const string NotMet = "NOT met: ";

    private readonly List<ReportNote> _notes = [];

    public IReadOnlyList<ReportNote> All => _notes;

    public void Add(string name, string value) => _notes.Add(new ReportNote(name, value));

    public void Target(string target, string actual, bool met) =>
        _notes.Add(new ReportNote($"target: {target}", (met ? Met : NotMet) + actual, met));

    /// <summary>True when no target note in <paramref name="report"/> was missed.</summary>
    public static bool TargetsMet(LoadReport report) => report.Notes.All(n => n.Met != false);
}
