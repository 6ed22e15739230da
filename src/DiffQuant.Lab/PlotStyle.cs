using ScottPlot;

namespace DiffQuant.Lab;

/// <summary>What all figures share: the colours series cycle through (one per method) and the output size.</summary>
internal static class PlotStyle
{
    private static readonly Color[] Colours =
    [
        Colors.Black, Colors.OrangeRed, Colors.RoyalBlue, Colors.SeaGreen, Colors.Purple, Colors.DarkGoldenRod,
        Colors.Teal, Colors.Crimson, Colors.SlateGray,
    ];

    public static Color Colour(int index) => Colours[index % Colours.Length];

    /// <summary>Writes <paramref name="stem"/>.png and <paramref name="stem"/>.svg, 900 × 600, into <paramref name="directory"/>.</summary>
    public static void Save(Plot plot, string directory, string stem)
    {
        plot.SavePng(Path.Combine(directory, stem + ".png"), 900, 600);
        plot.SaveSvg(Path.Combine(directory, stem + ".svg"), 900, 600);
    }
}
