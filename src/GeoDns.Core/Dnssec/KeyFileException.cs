namespace GeoDns.Core.Dnssec;

/// <summary>A key file that cannot be used; the message is one line naming the file (and line).</summary>
public sealed class KeyFileException(string message) : Exception(message);
