namespace DiffQuant.Quantization;

/// <summary>
/// What both ends pass to one encode or decode: the dynamic range r (1 for codecs without one), the
/// step that indexes shared randomness (this link's message count, never information about the problem)
/// and this message's bit budget.
/// </summary>
public readonly record struct QuantizerContext(double Range, long Step, long BudgetBits);
