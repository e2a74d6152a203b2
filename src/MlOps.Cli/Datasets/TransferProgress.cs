using MlOps.Cli.Output;

namespace MlOps.Cli.Datasets;

/// <summary>
/// Upload progress on stderr: on a terminal one line rewritten in place at most every 200 ms
/// (<c>uploading 12.3 MB of 30.1 MB (40%) 25.1 MB/s</c>); elsewhere nothing until the summary
/// (<c>uploaded 4 files, 30.1 MB in 1.2 s (25.1 MB/s)</c>), so logs stay short. Files the store already has are
/// not sent again, so fewer bytes than <c>totalBytes</c> may arrive; the summary says so.
/// </summary>
internal sealed class TransferProgress(TextWriter error, bool terminal, TimeProvider time, long totalBytes)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly long _started = time.GetTimestamp();
    private readonly Lock _lock = new();
    private long _bytes;
    private long _lastShown;
    private int _lineLength;

    public long Bytes => Interlocked.Read(ref _bytes);

    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    public void Add(long bytes)
    {
        var total = Interlocked.Add(ref _bytes, bytes);
        if (!terminal)
        {
            return;
        }

        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_lineLength > 0 && time.GetElapsedTime(_lastShown, now) < Interval && total < totalBytes)
            {
                return;
            }

            _lastShown = now;
            var percent = totalBytes > 0 ? Math.Min(100, total * 100 / totalBytes) : 100;
            var line = $"uploading {Display.Bytes(total)} of {Display.Bytes(totalBytes)} ({Display.Integer(percent)}%) {Display.Rate(total, Elapsed)}";
            error.Write("\r" + line.PadRight(_lineLength));
            _lineLength = Math.Max(_lineLength, line.Length);
        }
    }

    /// <summary>Ends the in-place line and prints the summary.</summary>
    public void Complete(int files)
    {
        lock (_lock)
        {
            var elapsed = Elapsed;
            var bytes = Bytes;
            var timing = $"in {Display.Seconds(elapsed.TotalSeconds)} ({Display.Rate(bytes, elapsed)})";
            var line = bytes >= totalBytes
                ? $"uploaded {Display.Integer(files)} {(files == 1 ? "file" : "files")}, {Display.Bytes(bytes)} {timing}"
                : bytes == 0
                    ? $"{(files == 1 ? "the file" : $"all {Display.Integer(files)} files")} ({Display.Bytes(totalBytes)}) {(files == 1 ? "was" : "were")} already in the store"
                    : $"uploaded {Display.Bytes(bytes)} of {Display.Bytes(totalBytes)} {timing}; the rest was already in the store";
            error.WriteLine(_lineLength > 0 ? "\r" + line.PadRight(_lineLength) : line);
        }
    }
}
