namespace DiffQuant.Transport;

/// <summary>
/// A worker at the far end of a transport (e.g. a worker grain on another machine). The session tells it the link it
/// answers over before the first message, so that its transport can refuse a reply longer than the link's longest
/// message (<see cref="Link.LargestUplinkBytes"/>) before reading it.
/// </summary>
public interface ILinkBound
{
    void Bind(Link link);
}
