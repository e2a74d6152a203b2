namespace MlOps.Core.Certificates;

/// <summary>A certificate or key file that is missing, unreadable, or not what it should be; the message names the file.</summary>
public sealed class CertificateException : Exception
{
    public CertificateException()
        : this("certificate error")
    {
    }

    public CertificateException(string message)
        : base(message)
    {
    }

    public CertificateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
