using System.Globalization;
using System.Text.RegularExpressions;

namespace GeoDns.Tests.Metrics;

/// <summary>One scrape of a Prometheus text exposition, read into samples.</summary>
internal sealed partial class PrometheusText
{
    private PrometheusText(string text, List<Sample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, CancellationToken token = default)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative), token);
        string text = await response.Content.ReadAsStringAsync(token);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return Parse(text);
    }

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.That(match.Success, Is.True, $"not a sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["name"].Value] = label.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal);
            }

            samples.Add(new Sample(match.Groups["name"].Value, labels, Value(match.Groups["value"].Value)));
        }

        return new PrometheusText(text, samples);
    }

    private static double Value(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>Whether a sample of <paramref name="name"/> has all of <paramref name="labels"/>.</summary>
    public bool Has(string name, params (string Name, string Value)[] labels) =>
        Samples.Any(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
