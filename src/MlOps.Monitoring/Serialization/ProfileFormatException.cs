namespace MlOps.Monitoring.Serialization;

/// <summary>Serialized profile bytes that cannot be read; <see cref="Field"/> names the offending part.</summary>
public sealed class ProfileFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProfileFormatException()
        : this("$", "The profile is invalid.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProfileFormatException(string message)
        : this("$", message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProfileFormatException(string message, Exception innerException)
        : this("$", message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="field"/> (a JSON path such as <c>inputs.features[2].counts</c>).</summary>
    public ProfileFormatException(string field, string message, Exception? innerException = null)
        : base($"Invalid profile: {field}: {message}", innerException)
    {
        Field = field;
    }

    /// <summary>JSON path of the field that is wrong; <c>$</c> for the whole document.</summary>
    public string Field { get; } = "$";
}
