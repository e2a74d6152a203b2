using System.Text;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>A REST request as bytes, so the fuzz test can damage any part of it.</summary>
internal sealed record RestFuzzRequest(string Path, byte[] Body, string? HeaderLength, string? ContentEncoding, string Description);

/// <summary>Random mutations of valid JSON and binary echo requests for the fuzz test.</summary>
internal static class RestMutator
{
    private static readonly string[] Paths =
    [
        "/v2/models/echo/infer", "/v2/models/echo/infer", "/v2/models/echo/infer", "/v2/models/echo/versions/1/infer",
        "/v2/models/echo/versions/9/infer", "/v2/models/nope/infer", "/v2/models/warming/infer", "/v2/models//infer",
        "/v2/models/echo/versions//infer", "/v2/models/echo/ready", "/v2/models/echo", "/v2/repository/index",
    ];

    private static readonly char[] Noise = ['{', '}', '[', ']', '"', ',', ':', '-', '0', '9', 'e', '.', 'x', ' ', '\\', '\u00e9'];

    public static RestFuzzRequest Mutate(Random random)
    {
        var batch = random.Next(1, 5);
        var binary = random.Next(2) == 0;
        var values = ProtocolRequests.Rows(batch);
        var binaryOutput = random.Next(2) == 0 ? "true" : "false";
        var json = binary
            ? $$$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[{{{batch}}},4],"parameters":{"binary_data_size":{{{batch * 16}}}}}],"outputs":[{"name":"output","parameters":{"binary_data":{{{binaryOutput}}}}}]}"""
            : ProtocolRequests.EchoJson(batch);
        var header = Encoding.UTF8.GetBytes(json);
        var tail = binary ? ProtocolRequests.Bytes(values) : [];
        var path = Paths[0];
        string? headerLength = binary ? header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        string? encoding = null;
        var steps = new List<string>();

        for (var n = random.Next(1, 4); n > 0; n--)
        {
            switch (random.Next(9))
            {
                case 0:
                    path = Paths[random.Next(Paths.Length)];
                    steps.Add($"path={path}");
                    break;
                case 1 when header.Length > 0:
                    var at = random.Next(header.Length);
                    header[at] = (byte)random.Next(256);
                    steps.Add($"json byte {at} changed");
                    break;
                case 2:
                    var text = Encoding.UTF8.GetString(header);
                    var position = random.Next(text.Length + 1);
                    text = text.Insert(position, Noise[random.Next(Noise.Length)].ToString());
                    header = Encoding.UTF8.GetBytes(text);
                    steps.Add($"json char inserted at {position}");
                    break;
                case 3:
                    var keep = random.Next(header.Length + 1);
                    header = header[..keep];
                    steps.Add($"json truncated to {keep}");
                    break;
                case 4:
                    tail = tail[..random.Next(tail.Length + 1)];
                    steps.Add($"binary truncated to {tail.Length}");
                    break;
                case 5:
                    tail = [.. tail, .. new byte[random.Next(1, 33)]];
                    steps.Add($"binary extended to {tail.Length}");
                    break;
                case 6:
                    headerLength = random.Next(4) switch
                    {
                        0 => null,
                        1 => "abc",
                        2 => "-3",
                        _ => (header.Length + random.Next(-8, 9)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    };
                    steps.Add($"header length={headerLength ?? "none"}");
                    break;
                case 7:
                    encoding = random.Next(2) == 0 ? "gzip" : "br";
                    steps.Add($"content-encoding={encoding}");
                    break;
                default:
                    headerLength = "0";
                    steps.Add("raw binary form");
                    break;
            }
        }

        // A header length that no longer matches the JSON is itself a mutation; keep it in step otherwise.
        if (binary && headerLength is not null && steps.All(s => !s.StartsWith("header length", StringComparison.Ordinal) && s != "raw binary form"))
        {
            headerLength = header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new RestFuzzRequest(path, [.. header, .. tail], headerLength, encoding, $"{(binary ? "binary" : "json")}: {string.Join("; ", steps)}");
    }
}
