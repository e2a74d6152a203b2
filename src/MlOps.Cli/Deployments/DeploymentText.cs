using System.Globalization;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Deployments;

/// <summary>How deployments read on a terminal.</summary>
internal static class DeploymentText
{
    public static string Phase(DeploymentPhase phase) => phase switch
    {
        DeploymentPhase.Available => "AVAILABLE",
        DeploymentPhase.Progressing => "PROGRESSING",
        DeploymentPhase.Degraded => "DEGRADED",
        DeploymentPhase.Failed => "FAILED",
        _ => "UNKNOWN",
    };

    /// <summary><c>v2 90% + v3 10%</c>, or <c>-</c>.</summary>
    public static string Traffic(IEnumerable<TrafficRoute> traffic)
    {
        var parts = traffic.Where(r => r.Percent > 0).OrderByDescending(r => r.Percent)
            .Select(r => $"v{Display.Integer(r.Version)} {Display.Integer(r.Percent)}%").ToList();
        return parts.Count == 0 ? Display.None : string.Join(" + ", parts);
    }

    public static string Target(ModelTarget? target) => target switch
    {
        { Alias.Length: > 0 } => "@" + target.Alias,
        { Version: > 0 } => "v" + Display.Integer(target.Version),
        _ => "newest",
    };

    public static string Ready(Deployment deployment) =>
        $"{Display.Integer(deployment.Replicas.Count(r => r.Ready))}/{Display.Integer(Math.Max(1, deployment.Spec.Replicas))}";

    public static void Describe(Deployment deployment, TextWriter writer)
    {
        var spec = deployment.Spec;
        var lines = new KeyValueWriter()
            .Add("deployment", spec.Name)
            .Add("model", spec.Model)
            .Add("target", Target(spec.Target) + (spec.Canary is { Percent: > 0 } c ? $", canary {Target(c.Target)} at {Display.Integer(c.Percent)}%" : ""))
            .Add("revision", Display.Integer(deployment.Revision))
            .Add("phase", Phase(deployment.Phase))
            .AddIfSet("message", deployment.Message)
            .Add("traffic", Traffic(deployment.Traffic))
            .Add("wanted", deployment.History.Count > 0 ? Traffic(deployment.History[^1].Traffic) : Display.None)
            .Add("replicas", Ready(deployment) + " ready")
            .AddIfSet("selector", string.Join(",", spec.AgentSelector.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}")));
        foreach (var replica in deployment.Replicas)
        {
            var versions = string.Join(", ", replica.Versions.Select(v =>
                $"v{Display.Integer(v.Version)} {v.State}{(string.IsNullOrEmpty(v.Reason) ? "" : $" ({v.Reason})")}"));
            lines.Add("  " + replica.AgentId, $"{(replica.Ready ? "ready" : "not ready")}  grpc {replica.GrpcAddress}  rest {replica.RestAddress}  {versions}");
        }

        lines.Write(writer);
    }

    public static void History(Deployment deployment, TextWriter writer, bool terminal)
    {
        var table = new TextTable("revision", "traffic", "cause", "created");
        foreach (var revision in deployment.History)
        {
            table.AddRow(Display.Integer(revision.Revision) + (revision.Revision == deployment.Revision ? " *" : ""),
                Traffic(revision.Traffic), revision.Cause, Display.Time(revision.CreatedAt));
        }

        table.Write(writer, terminal);
    }

    public static string Percent(int value) => value.ToString(CultureInfo.InvariantCulture) + "%";
}
