using System.CommandLine.Parsing;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Jobs;

/// <summary>Parses <c>--state</c> values: <c>running</c>, <c>RUNNING</c> or <c>JOB_STATE_RUNNING</c>, repeated or comma-separated.</summary>
internal static class JobStateNames
{
    private const string ProtoPrefix = "JOB_STATE_";

    private static readonly IReadOnlyDictionary<string, JobState> ByName = Enum.GetValues<JobState>()
        .Where(s => s != JobState.Unspecified)
        .ToDictionary(Display.State, StringComparer.OrdinalIgnoreCase);

    public static string Known => string.Join(", ", ByName.Keys.Select(k => k.ToLowerInvariant()));

    public static bool TryParse(string text, out JobState state)
    {
        var name = text.Trim();
        if (name.StartsWith(ProtoPrefix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[ProtoPrefix.Length..];
        }

        return ByName.TryGetValue(name, out state);
    }

    /// <summary>A System.CommandLine custom parser: every token, split on commas; errors name the bad value.</summary>
    public static JobState[] Parse(ArgumentResult result)
    {
        var states = new List<JobState>();
        foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (TryParse(part, out var state))
            {
                states.Add(state);
            }
            else
            {
                result.AddError($"unknown job state '{part}'; expected one of: {Known}");
            }
        }

        return [.. states.Distinct()];
    }
}
