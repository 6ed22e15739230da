namespace DiffQuant.Quantization;

/// <summary>
/// What both ends pass to one encode or decode: the dynamic range r (1 for codecs without one), the
/// step that indexes shared randomness (this link's message count, never information about the problem),
/// this message's bit budget and, on a link, the link's <see cref="StepHistory"/> (null for a lone message: codes
/// that use it then name their step in full).
/// </summary>
public readonly record struct QuantizerContext(double Range, long Step, long BudgetBits, StepHistory? History = null)
{
    /// <summary>Refuses a range that is not a positive finite number, and a budget below <paramref name="quantizer"/>'s code.</summary>
    public void Check(IQuantizer quantizer)
    {
        if (!(Range > 0) || !double.IsFinite(Range))
        {
            Guard.Throw($"the quantizer range must be a positive finite number, got {Range}.");
        }

        if (BudgetBits < quantizer.BudgetBits)
        {
            Guard.Throw($"a {quantizer.Name} code of {quantizer.BudgetBits} bits does not fit this message's budget of {BudgetBits} bits.");
        }
    }
}
