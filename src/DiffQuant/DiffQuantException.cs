namespace DiffQuant;

/// <summary>
/// Bad input or an impossible request: the message says what is wrong and where. Tools print it
/// and exit non-zero; nothing that throws it has changed caller-visible state.
/// </summary>
public class DiffQuantException : Exception
{
    public DiffQuantException()
    {
    }

    public DiffQuantException(string message)
        : base(message)
    {
    }

    public DiffQuantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
