using System.Diagnostics;
using System.Security.Cryptography;
using GeoDns.Tests.EndToEnd;

namespace GeoDns.Tests.Transfers;

/// <summary>
/// A temporary folder with a zone, a TSIG key file (BIND <c>tsig-keygen</c> format, random
/// secrets) and a settings file naming them, for a real <c>geodns serve</c> with transfers.
/// </summary>
internal sealed class TransferFixture : IDisposable
{
    public TransferFixture(string zoneText, string zone = "example.test", string addresses = "\"127.0.0.0/8\"", string notify = "")
    {
        Folder = Directory.CreateTempSubdirectory("geodns-xfr-");
        Zones = Directory.CreateDirectory(Path.Combine(Folder.FullName, "zones")).FullName;
        WriteZone(zone, zoneText);
        Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        OtherSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        KeyFile = Path.Combine(Folder.FullName, "tsig.key");
        File.WriteAllText(KeyFile, $$"""
            key "xfr" {
            	algorithm hmac-sha256;
            	secret "{{Secret}}";
            };
            key "other" { algorithm hmac-sha512; secret "{{OtherSecret}}"; };
            """);
        Config = Path.Combine(Folder.FullName, "geodns.json");
        File.WriteAllText(Config, $$"""
            { "Tsig": { "KeyFile": "{{KeyFile}}" },
              "Transfer": {
                "{{zone}}": { "Keys": [ "xfr" ], "Addresses": [ {{addresses}} ], "Notify": [ {{notify}} ] },
                "refused.test": { "Keys": [ "xfr" ], "Addresses": [ "192.0.2.0/24" ] } } }
            """);
        WriteZone("refused.test", """
            $ORIGIN refused.test.
            @ 300 SOA ns1 hostmaster 1 7200 900 1209600 60
            @ 300 NS ns1
            ns1 300 A 192.0.2.53
            """);
    }

    public DirectoryInfo Folder { get; }

    public string Zones { get; }

    public string KeyFile { get; }

    public string Config { get; }

    public string Secret { get; }

    public string OtherSecret { get; }

    /// <summary>Starts <c>geodns serve</c> with the settings file; with <paramref name="adminToken"/> also the admin API.</summary>
    public ServeInstance Serve(string name, string? adminToken = null, string extraArguments = "")
    {
        string? tokenFile = null;
        if (adminToken is not null)
        {
            tokenFile = Path.Combine(Folder.FullName, "admin.token");
            File.WriteAllText(tokenFile, adminToken + "\n");
        }

        return ServeInstance.Start(name, Zones, tokenFile: tokenFile, extraArguments: $"--config \"{Config}\" {extraArguments}");
    }

    public void WriteZone(string zone, string text) => File.WriteAllText(Path.Combine(Zones, zone + ".zone"), text);

    /// <summary>Runs dig (bounded) and returns what it printed.</summary>
    public static async Task<string> Dig(System.Net.IPEndPoint server, string arguments)
    {
        var start = new ProcessStartInfo("dig", $"@{server.Address} -p {server.Port} +time=3 +tries=1 {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var dig = Process.Start(start)!;
        var output = dig.StandardOutput.ReadToEndAsync();
        var error = dig.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await dig.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            dig.Kill();
            throw;
        }

        return await output + await error;
    }

    public void Dispose() => Folder.Delete(recursive: true);
}
