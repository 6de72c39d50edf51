namespace GeoDns.Tests;

/// <summary>Zone texts shared by the integration tests.</summary>
internal static class TestZones
{
    public static string Conformance()
    {
        var many = string.Join('\n', Enumerable.Range(1, 40).Select(i => $"many A 192.0.2.{i}"));
        var longText = string.Join(' ', Enumerable.Range(0, 4).Select(i => "\"" + new string((char)('a' + i), 200) + "\""));
        var hugeText = string.Join(' ', Enumerable.Range(0, 6).Select(i => "\"" + new string((char)('k' + i), 250) + "\""));
        return $$"""
            $ORIGIN example.test.
            $TTL 300
            @        IN SOA ns1 hostmaster 2026112601 3600 900 604800 120
            @        NS   ns1
            @        NS   ns2
            @        A    192.0.2.10
            @        MX   10 mail
            ns1      A    192.0.2.53
            ns2      A    192.0.2.54
            ns2      AAAA 2001:db8::54
            www      A    192.0.2.1
            www      A    192.0.2.2
            mail     A    192.0.2.25
            mail     AAAA 2001:db8::25
            alias    CNAME www
            chain1   CNAME chain2
            chain2   CNAME chain3
            chain3   A    192.0.2.3
            dangling CNAME nowhere
            outside  CNAME www.elsewhere.invalid.
            loop1    CNAME loop2
            loop2    CNAME loop1
            *.wild   A    192.0.2.99
            *.wild   TXT  "wildcard"
            wc       CNAME x.wild
            a.b.ent  A    192.0.2.7
            sub      NS   ns.sub
            sub      NS   ns.elsewhere.invalid.
            sub      DS   12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
            ns.sub   A    192.0.2.77
            big      TXT  {{longText}}
            huge     TXT  {{hugeText}}
            {{many}}
            """;
    }

    /// <summary>
    /// Replies sized around the UDP limits. The apex NS answer is 65 octets but its glue (24 AAAA)
    /// makes it 737 without EDNS; the referral for <c>sub</c> needs 30 AAAA of in-domain glue (890
    /// octets); with an OPT record (11 octets) <c>fits</c> TXT is a reply of exactly 512 octets and
    /// <c>over</c> TXT one of 513.
    /// </summary>
    public static string Limits()
    {
        static string Aaaa(string owner, int prefix, int count) =>
            string.Join('\n', Enumerable.Range(1, count).Select(i => $"{owner} AAAA 2001:db8:{prefix}::{i:x}"));
        static string Text(int first, int second) => $"\"{new string('f', first)}\" \"{new string('s', second)}\"";
        return $"""
            $ORIGIN limits.test.
            $TTL 300
            @      SOA  ns1 hostmaster 1 3600 900 604800 120
            @      NS   ns1
            @      NS   ns2
            {Aaaa("ns1", 1, 12)}
            {Aaaa("ns2", 2, 12)}
            sub    NS   ns.sub
            {Aaaa("ns.sub", 3, 30)}
            fits   TXT  {Text(255, 198)}
            over   TXT  {Text(255, 199)}
            """;
    }

    public static string Simple(string origin = "simple.test.", string address = "192.0.2.1", uint serial = 1) => $"""
        $ORIGIN {origin}
        $TTL 60
        @   SOA ns hostmaster {serial} 3600 900 604800 60
        @   NS  ns
        ns  A   192.0.2.53
        www A   {address}
        """;
}
