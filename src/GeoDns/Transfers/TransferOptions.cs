namespace GeoDns.Transfers;

/// <summary>Section <c>Tsig</c>: where the TSIG keys are.</summary>
public sealed class TsigOptions
{
    /// <summary>A key file in the format <c>tsig-keygen</c> writes; null: no keys (no transfer can be allowed).</summary>
    public string? KeyFile { get; set; }
}

/// <summary>One zone's entry of section <c>Transfer</c>: who may transfer it, whom to notify.</summary>
public sealed class TransferRule
{
    /// <summary>Names of the keys (from <see cref="TsigOptions.KeyFile"/>) a transfer may be signed with; at least one.</summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Source networks (CIDR or single addresses) a transfer may come from; empty: any.</summary>
    public List<string> Addresses { get; set; } = [];

    /// <summary>Secondaries told of each new serial (NOTIFY), ADDR:PORT or [V6]:PORT.</summary>
    public List<string> Notify { get; set; } = [];
}
