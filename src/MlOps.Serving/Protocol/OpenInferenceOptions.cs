using System.Reflection;
using Microsoft.Extensions.Options;

namespace MlOps.Serving.Protocol;

/// <summary>Settings of the Open Inference Protocol layer (gRPC and REST).</summary>
public sealed class OpenInferenceOptions
{
    /// <summary>Configuration section a host may bind: <c>Serving:Protocol</c>.</summary>
    public const string SectionName = "Serving:Protocol";

    /// <summary>Default <see cref="MaxMessageBytes"/>: 64 MiB.</summary>
    public const int DefaultMaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Largest gRPC message received or sent, and largest REST request body (after decompression), in bytes.
    /// Default 64 MiB: ASP.NET Core's 4 MB gRPC default is too small for real batches (tritonclient itself allows
    /// 2 GiB). A larger request gets RESOURCE_EXHAUSTED over gRPC and 413 over REST.
    /// </summary>
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>Server name in ServerMetadata. Default <c>mlops</c>.</summary>
    public string ServerName { get; set; } = "mlops";

    /// <summary>Server version in ServerMetadata. Default: the informational version of this assembly.</summary>
    public string ServerVersion { get; set; } = DefaultVersion();

    private static string DefaultVersion()
    {
        var assembly = typeof(OpenInferenceOptions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

/// <summary>Lists every problem with <see cref="OpenInferenceOptions"/> at once, so a bad config stops the host at start.</summary>
internal sealed class OpenInferenceOptionsValidator : IValidateOptions<OpenInferenceOptions>
{
    /// <summary>Below this a single small tensor would not fit; 1 KiB.</summary>
    public const int MinMessageBytes = 1024;

    public ValidateOptionsResult Validate(string? name, OpenInferenceOptions options)
    {
        var errors = new List<string>();
        if (options.MaxMessageBytes < MinMessageBytes)
        {
            errors.Add($"{nameof(OpenInferenceOptions.MaxMessageBytes)} must be at least {MinMessageBytes} bytes (was {options.MaxMessageBytes})");
        }

        if (string.IsNullOrWhiteSpace(options.ServerName))
        {
            errors.Add($"{nameof(OpenInferenceOptions.ServerName)} must not be empty");
        }

        if (string.IsNullOrWhiteSpace(options.ServerVersion))
        {
            errors.Add($"{nameof(OpenInferenceOptions.ServerVersion)} must not be empty");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
