using GeoDns.Transfers;

namespace GeoDns.Tests.Transfers;

/// <summary>The serial rule: max(file serial, Unix time, last + 1).</summary>
public sealed class SerialRuleTests
{
    [Test]
    public void TheFirstSerialIsTheClockUnlessTheFileIsAhead()
    {
        Assert.That(SerialKeeper.NextSerial(fileSerial: 1, last: 0, unixNow: 1_796_000_000), Is.EqualTo(1_796_000_000u));
        Assert.That(SerialKeeper.NextSerial(fileSerial: 2_026_112_601, last: 0, unixNow: 1_796_000_000), Is.EqualTo(2_026_112_601u));
    }

    [Test]
    public void EveryChangeMovesItOnEvenWithinOneSecond()
    {
        uint first = SerialKeeper.NextSerial(1, 0, 1_796_000_000);
        uint second = SerialKeeper.NextSerial(1, first, 1_796_000_000);
        uint third = SerialKeeper.NextSerial(1, second, 1_796_000_000);
        Assert.That(new[] { first, second, third }, Is.EqualTo(new[] { 1_796_000_000u, 1_796_000_001u, 1_796_000_002u }));
        Assert.That(SerialKeeper.NextSerial(1, third, 1_796_000_100), Is.EqualTo(1_796_000_100u), "the clock catches up");
    }

    [Test]
    public void ARestartStartsFromTheClockSoItDoesNotGoBack()
    {
        uint before = SerialKeeper.NextSerial(1, 1_796_000_002, 1_796_000_003);
        uint afterRestart = SerialKeeper.NextSerial(1, 0, 1_796_000_010);
        Assert.That(afterRestart, Is.GreaterThan(before));
    }
}
