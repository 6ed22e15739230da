using System.Diagnostics.Metrics;

namespace DiffQuant.Cluster;

/// <summary>
/// The bytes of the messages Orleans itself sent and received in this process, from its <c>Microsoft.Orleans</c> meter
/// (the histograms <c>orleans-messaging-sent-messages-size</c> and <c>-received-messages-size</c>, one measurement a
/// message): what the runtime put on the wire, to set beside the channel's information and framing bits.
/// </summary>
public sealed class WireMeter : IDisposable
{
    private const string SentInstrument = "orleans-messaging-sent-messages-size";
    private const string ReceivedInstrument = "orleans-messaging-received-messages-size";
    private readonly MeterListener _listener = new();
    private long _sent;
    private long _received;

    public WireMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name is SentInstrument or ReceivedInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
        _listener.Start();
    }

    public long SentBytes => Interlocked.Read(ref _sent);

    public long ReceivedBytes => Interlocked.Read(ref _received);

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, long bytes) => Interlocked.Add(ref instrument.Name == SentInstrument ? ref _sent : ref _received, bytes);
}
