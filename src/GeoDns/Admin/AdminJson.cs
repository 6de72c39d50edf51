using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GeoDns.Admin;

/// <summary>
/// Every JSON body the admin API and the status feed write, serialized by generated code
/// (camelCase names, as ASP.NET's web defaults): no reflection at run time, so the admin API
/// answers the same from a JIT build and from a Native AOT executable.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(ReadyBody))]
[JsonSerializable(typeof(ChangeBody))]
[JsonSerializable(typeof(OverridesBody))]
[JsonSerializable(typeof(PoolsBody))]
[JsonSerializable(typeof(ExplainBody))]
[JsonSerializable(typeof(ReloadBody))]
[JsonSerializable(typeof(TransitionsBody))]
[JsonSerializable(typeof(ZonesBody))]
[JsonSerializable(typeof(MemberTransition))]
[JsonSerializable(typeof(RedisEvent))]
[JsonSerializable(typeof(ReloadEvent))]
internal sealed partial class AdminJson : JsonSerializerContext
{
    /// <summary>
    /// The HTTP responses' serializer: ASP.NET's own defaults for JSON results, whose encoder
    /// leaves characters such as <c>'</c> and non-ASCII letters as they are (the status feed's
    /// events keep <see cref="Default"/>, which escapes them).
    /// </summary>
    public static AdminJson Http { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
