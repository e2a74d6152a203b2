using Microsoft.Extensions.Options;

namespace MlOps.Discovery;

/// <summary>Checks <see cref="ConsulOptions"/> and reports every invalid setting at once, each named by the
/// configuration section the options were bound from (<c>Consul</c>, or e.g. <c>Agent:Consul</c>).</summary>
internal sealed class ConsulOptionsValidator(string section = ConsulOptions.SectionName) : IValidateOptions<ConsulOptions>
{
    private static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        var errors = Errors(options, section);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, for callers outside DI.</summary>
    public static void ThrowIfInvalid(ConsulOptions options)
    {
        var errors = Errors(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ConsulOptions), errors);
        }
    }

    public static IReadOnlyList<string> Errors(ConsulOptions options, string section = ConsulOptions.SectionName)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.Address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add($"{section}:Address must be an http:// or https:// URL without query or user info, got '{options.Address}'");
        }

        if (options.Token is not null && (options.Token.Length == 0 || options.Token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            // The value itself is a secret: never echoed.
            errors.Add($"{section}:Token must be non-empty without spaces or control characters when set");
        }

        if (options.Datacenter is not null && (options.Datacenter.Length is 0 or > 64 || !options.Datacenter.All(IsDatacenterChar)))
        {
            errors.Add($"{section}:Datacenter must be 1-64 letters, digits, '-' or '_' when set, got '{options.Datacenter}'");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > MaxRequestTimeout)
        {
            errors.Add($"{section}:RequestTimeout must be positive and at most {MaxRequestTimeout}, got {options.RequestTimeout}");
        }

        var retry = options.Retry;
        if (retry is null)
        {
            errors.Add($"{section}:Retry must be set");
            return errors;
        }

        if (retry.MaxAttempts is < 1 or > 20)
        {
            errors.Add($"{section}:Retry:MaxAttempts must be 1-20, got {retry.MaxAttempts}");
        }

        if (retry.InitialDelay <= TimeSpan.Zero)
        {
            errors.Add($"{section}:Retry:InitialDelay must be positive, got {retry.InitialDelay}");
        }

        if (retry.MaxDelay < retry.InitialDelay)
        {
            errors.Add($"{section}:Retry:MaxDelay must be at least Retry:InitialDelay, got {retry.MaxDelay}");
        }

        return errors;
    }

    private static bool IsDatacenterChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
