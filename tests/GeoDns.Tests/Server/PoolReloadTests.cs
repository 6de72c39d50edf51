using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Health;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Server;

/// <summary>After a reload the health board (and so the admin API) holds exactly the members the served zones declare.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class PoolReloadTests
{
    private static string Zone(uint serial, params (string Region, string Address)[] members) => $"""
        $ORIGIN pools.test.
        $TTL 60
        @        SOA    ns1 hostmaster {serial} 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        $REGION  us-east  continents=NA
        $REGION  eu-west  continents=EU
        $REGION  ap-south continents=AS
        www      5  POOL    A  policy=failover max-answers=1
        {string.Join("\n", members.Select(m => $"www      5  MEMBER  {m.Region}  {m.Address}"))}
        """;

    private static string[] Members(HealthBoard board) =>
        [.. board.Members.Where(m => m.Key.Pool == "www.pools.test.").Select(m => $"{m.Region} {m.Key.Member}").Order(StringComparer.Ordinal)];

    [Test]
    public async Task RemovedMembersLeaveTheBoardButAFailedReloadKeepsTheServedOnes()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["pools.test.zone"] = Zone(1, ("eu-west", "198.51.100.10"), ("us-east", "192.0.2.10"), ("ap-south", "203.0.113.10")),
        });
        var board = server.Services.GetRequiredService<HealthBoard>();
        var store = server.Services.GetRequiredService<ZoneStore>();
        var file = Path.Combine(server.Directory, "pools.test.zone");
        Assert.That(Members(board), Is.EqualTo(new[] { "ap-south 203.0.113.10", "eu-west 198.51.100.10", "us-east 192.0.2.10" }));

        await File.WriteAllTextAsync(file, Zone(2, ("eu-west", "198.51.100.10"), ("us-east", "192.0.2.11")));
        Assert.That(store.Reload(), Is.Zero);
        Assert.That(Members(board), Is.EqualTo(new[] { "eu-west 198.51.100.10", "us-east 192.0.2.11" }));

        // A broken file keeps serving version 2: its members stay, and the drain of one still works on the served slot.
        await File.WriteAllTextAsync(file, Zone(3, ("us-east", "192.0.2.12")) + "\nbad A 999.1.1.1\n");
        Assert.That(store.Reload(), Is.EqualTo(1));
        Assert.That(Members(board), Is.EqualTo(new[] { "eu-west 198.51.100.10", "us-east 192.0.2.11" }));
        board.SetRegionDrained("eu-west", true);
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.pools.test." });
        Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.11")));

        // The zone file removed: its members go too.
        File.Delete(file);
        store.Reload();
        Assert.That(Members(board), Is.Empty);
    }
}
