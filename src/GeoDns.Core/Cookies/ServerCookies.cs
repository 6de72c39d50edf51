using System.Buffers.Binary;
using System.Security.Cryptography;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Cookies;

/// <summary>
/// DNS server cookies as RFC 9018 builds them, so every server holding the same secret accepts
/// the others' cookies: Version (1), Reserved (0), Timestamp (seconds, 32 bits), and the first
/// 8 octets of SipHash-2-4(Client Cookie | Version | Reserved | Timestamp | Client-IP) under
/// the 16-octet secret. A second secret may be given for a rollover (RFC 9018 5): cookies made
/// with it are accepted, new ones are always made with the current secret. Allocation-free.
/// </summary>
public sealed class ServerCookies
{
    public const int SecretLength = 16;
    public const int ClientCookieLength = 8;

    /// <summary>Client cookie and RFC 9018 server cookie: what every reply carries.</summary>
    public const int ReplyLength = 24;

    /// <summary>RFC 9018 4.3: a cookie is accepted up to an hour after it was made...</summary>
    public const int LifetimeSeconds = 3600;

    /// <summary>...and up to five minutes before (clocks of servers sharing a secret drift).</summary>
    public const int FutureSkewSeconds = 300;

    /// <summary>A valid cookie younger than this is echoed; an older one is replaced (RFC 9018 4.3).</summary>
    public const int RefreshAfterSeconds = 1800;

    private const byte Version = 1;
    private const int ServerCookieLength = 16;

    private readonly ulong _k0;
    private readonly ulong _k1;
    private readonly bool _hasPrevious;
    private readonly ulong _previous0;
    private readonly ulong _previous1;
    private readonly TimeProvider _clock;

    /// <param name="secret">The 16-octet secret new cookies are made with.</param>
    /// <param name="previous">Empty, or a second 16-octet secret, accepted but never used to make cookies.</param>
    public ServerCookies(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> previous, TimeProvider clock)
    {
        if (secret.Length != SecretLength || (previous.Length != 0 && previous.Length != SecretLength))
        {
            throw new ArgumentException($"a cookie secret is {SecretLength} octets");
        }

        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(secret);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(secret[8..]);
        if (!previous.IsEmpty)
        {
            _hasPrevious = true;
            _previous0 = BinaryPrimitives.ReadUInt64LittleEndian(previous);
            _previous1 = BinaryPrimitives.ReadUInt64LittleEndian(previous[8..]);
        }

        _clock = clock;
    }

    /// <summary>Whether <paramref name="other"/> makes and accepts the same cookies (a reload only swaps on a change).</summary>
    public bool HasSameSecrets(ServerCookies other) =>
        _k0 == other._k0 && _k1 == other._k1 && _hasPrevious == other._hasPrevious && _previous0 == other._previous0 && _previous1 == other._previous1;

    /// <summary>Cookies under a secret drawn for this process alone: no other server accepts them.</summary>
    public static ServerCookies WithRandomSecret(TimeProvider clock) =>
        new(RandomNumberGenerator.GetBytes(SecretLength), default, clock);

    /// <summary>
    /// RFC 7873 5.2.2: a COOKIE option is a client cookie (8 octets) or a client cookie and a
    /// server cookie of 8 to 32 octets; any other length is FORMERR.
    /// </summary>
    public static bool IsWellFormed(int optionLength) => optionLength == ClientCookieLength || optionLength is >= 16 and <= 40;

    /// <summary>Seconds since 1970 modulo 2^32, the timestamp cookies carry.</summary>
    public uint Now() => (uint)_clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// Checks the query's COOKIE option (well-formed) from <paramref name="client"/> and writes
    /// the COOKIE the reply carries into <paramref name="reply"/> (<see cref="ReplyLength"/>
    /// octets): the client cookie and a server cookie, the one received when it is valid and
    /// young, else a new one.
    /// </summary>
    public CookieOutcome Answer(ReadOnlySpan<byte> option, ClientAddress client, uint now, Span<byte> reply)
    {
        option[..ClientCookieLength].CopyTo(reply);
        if (option.Length == ClientCookieLength)
        {
            Make(reply, client, now);
            return CookieOutcome.Fresh;
        }

        if (option.Length != ClientCookieLength + ServerCookieLength || option[ClientCookieLength] != Version)
        {
            Make(reply, client, now);
            return CookieOutcome.Bad;
        }

        int age = (int)(now - BinaryPrimitives.ReadUInt32BigEndian(option[12..]));
        if (age is > LifetimeSeconds or < -FutureSkewSeconds)
        {
            Make(reply, client, now);
            return CookieOutcome.Bad;
        }

        if (Verifies(option, client, _k0, _k1))
        {
            if (age < RefreshAfterSeconds)
            {
                option.CopyTo(reply);
            }
            else
            {
                Make(reply, client, now);
            }

            return CookieOutcome.Valid;
        }

        Make(reply, client, now);
        return _hasPrevious && Verifies(option, client, _previous0, _previous1) ? CookieOutcome.Valid : CookieOutcome.Bad;
    }

    /// <summary>Writes a server cookie made now after the client cookie already in <paramref name="reply"/>.</summary>
    public void Make(Span<byte> reply, ClientAddress client, uint now)
    {
        reply[ClientCookieLength] = Version;
        reply[9] = reply[10] = reply[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(reply[12..], now);
        BinaryPrimitives.WriteUInt64LittleEndian(reply[16..], Hash(reply, client, _k0, _k1));
    }

    private static bool Verifies(ReadOnlySpan<byte> option, ClientAddress client, ulong k0, ulong k1)
    {
        Span<byte> expected = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(expected, Hash(option, client, k0, k1));
        return CryptographicOperations.FixedTimeEquals(expected, option.Slice(16, 8));
    }

    /// <summary>SipHash-2-4 of the client cookie, version, reserved and timestamp as the cookie has them, then the client's address.</summary>
    private static ulong Hash(ReadOnlySpan<byte> cookie, ClientAddress client, ulong k0, ulong k1)
    {
        Span<byte> input = stackalloc byte[32];
        cookie[..16].CopyTo(input);
        if (client.IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input[16..], (uint)client.Value);
            return SipHash.Hash24(k0, k1, input[..20]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(input[16..], client.Value);
        return SipHash.Hash24(k0, k1, input);
    }
}
