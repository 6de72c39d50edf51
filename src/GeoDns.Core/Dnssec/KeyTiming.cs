namespace GeoDns.Core.Dnssec;

/// <summary>
/// When a key enters and leaves service (the BIND timing metadata). Published: in the DNSKEY
/// RRset from Publish until Delete. Active: signs from Activate until Inactive. A missing
/// Publish means "published"; a missing Activate means "never signs".
/// </summary>
public readonly record struct KeyTiming(DateTimeOffset? Created, DateTimeOffset? Publish, DateTimeOffset? Activate,
    DateTimeOffset? Inactive, DateTimeOffset? Delete)
{
    public bool IsPublished(DateTimeOffset now) => (Publish is null || Publish <= now) && !(Delete <= now);

    public bool IsActive(DateTimeOffset now) => IsPublished(now) && Activate <= now && !(Inactive <= now);

    /// <summary>BIND's timestamp form: YYYYMMDDHHMMSS in UTC.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, "yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out time);
}
