using System.Text;

namespace MlOps.ServiceDefaults.Metrics;

/// <summary>The text of a <c>/metrics</c> page: every source's families, in registration order.</summary>
public static class MetricsPage
{
    /// <summary>Renders <paramref name="sources"/> in the text exposition format 0.0.4.</summary>
    public static async ValueTask<string> RenderAsync(IEnumerable<IMetricsSource> sources, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var writer = new PrometheusTextWriter(text);
        foreach (var source in sources)
        {
            await source.WriteAsync(writer, cancellationToken);
        }

        return text.ToString();
    }
}
