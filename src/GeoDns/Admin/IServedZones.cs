using GeoDns.Explain;

namespace GeoDns.Admin;

/// <summary>
/// What the admin API reads and does with the zones being served (implemented by the host,
/// <c>Hosting.ServedZones</c>): live explain and reload.
/// </summary>
public interface IServedZones
{
    /// <summary>
    /// The snapshot the DNS listeners answer from at this moment, each zone with its file (read
    /// again only when explain wants a line), and the pools' locator and random source.
    /// </summary>
    ExplainSource Served();

    /// <summary>Reloads the zones folder as SIGHUP does (one reload at a time) and returns once the new snapshot serves.</summary>
    ReloadReport Reload();
}

/// <summary>One reload as the admin API reports it.</summary>
/// <param name="Reloads">How many reloads have swapped in a snapshot since start (this one included).</param>
/// <param name="Failed">Zone files with errors (each keeps its previous version serving, if it had one).</param>
/// <param name="FolderError">Set when the folder could not be listed: nothing changed.</param>
/// <param name="Zones">Every zone file read.</param>
/// <param name="Removed">Zones no longer served because their file is gone.</param>
/// <param name="Served">Zones served after the reload.</param>
public sealed record ReloadReport(int Reloads, int Failed, string? FolderError, IReadOnlyList<ZoneReloadReport> Zones, IReadOnlyList<string> Removed, int Served);

/// <summary>One zone file of a reload.</summary>
/// <param name="Zone">The zone's origin.</param>
/// <param name="File">The zone file.</param>
/// <param name="Loaded">True when this version now serves.</param>
/// <param name="Serial">The serial served now (the new one, or the previous version's), null when the zone is not served.</param>
/// <param name="Errors">Error diagnostics of the file.</param>
/// <param name="Serving">What serves for the zone: "new version", "previous version (serial N)", or "not served".</param>
/// <param name="Diagnostics">Every error and warning as <c>file:line:column: severity: message</c>.</param>
public sealed record ZoneReloadReport(string Zone, string File, bool Loaded, uint? Serial, int Errors, string Serving, IReadOnlyList<string> Diagnostics);
