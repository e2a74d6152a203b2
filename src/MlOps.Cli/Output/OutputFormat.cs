namespace MlOps.Cli.Output;

/// <summary>How a command prints its result.</summary>
public enum OutputFormat
{
    /// <summary>Aligned columns and key/value lines for people (with colours on a terminal).</summary>
    Table,

    /// <summary>Protobuf JSON (proto3 canonical mapping); <c>watch</c> prints one event per line.</summary>
    Json,
}
