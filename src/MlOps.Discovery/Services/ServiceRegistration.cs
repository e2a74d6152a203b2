namespace MlOps.Discovery.Services;

/// <summary>A service instance registered with the local agent (<c>PUT /v1/agent/service/register</c>).</summary>
public sealed record ServiceRegistration
{
    private static readonly IReadOnlyDictionary<string, string> NoMeta = new Dictionary<string, string>();

    /// <summary>The service's name, which discovery queries use.</summary>
    public required string Name { get; init; }

    /// <summary>This instance's id, unique on its agent; null uses <see cref="Name"/>.</summary>
    public string? Id { get; init; }

    /// <summary>Address clients should use; null uses the node's address.</summary>
    public string? Address { get; init; }

    public int? Port { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Free-form string pairs returned with the instance (at most 64 keys in Consul).</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = NoMeta;

    public IReadOnlyList<CheckDefinition> Checks { get; init; } = [];

    /// <summary>Drop checks of an earlier registration that this one does not list, so registering again is
    /// idempotent (<c>?replace-existing-checks=true</c>). Default true.</summary>
    public bool ReplaceExistingChecks { get; init; } = true;

    /// <summary>Every problem Consul would reject, or that would make checks unaddressable; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("Name must not be empty");
        }

        if (Id is not null && string.IsNullOrWhiteSpace(Id))
        {
            errors.Add("Id must not be blank when set");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"Port must be 0-65535, got {Port}");
        }

        if (Tags.Any(string.IsNullOrEmpty))
        {
            errors.Add("Tags must not contain empty tags");
        }

        for (var i = 0; i < Checks.Count; i++)
        {
            Checks[i].AddErrors($"Checks[{i}]", errors);
        }

        var duplicate = Checks.Where(c => c.CheckId is not null).GroupBy(c => c.CheckId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            errors.Add($"check id '{duplicate.Key}' is used twice");
        }

        return errors;
    }
}
