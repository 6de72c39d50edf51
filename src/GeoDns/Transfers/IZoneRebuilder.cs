using GeoDns.Core.Lookup;

namespace GeoDns.Transfers;

/// <summary>Serves a zone again under a new SOA serial (implemented by the host's zone store).</summary>
public interface IZoneRebuilder
{
    /// <summary>
    /// Rebuilds <paramref name="served"/> from its file with <paramref name="serial"/> and publishes
    /// it, if it is still the version served; false when a reload replaced it meanwhile.
    /// </summary>
    bool Reserial(Zone served, uint serial);
}
