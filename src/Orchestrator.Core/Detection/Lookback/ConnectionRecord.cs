using System.Runtime.InteropServices;

namespace Orchestrator.Core.Detection.Lookback;

/// <summary>
/// One connection into a host as the lookback keeps it: who opened it, to which port, when (UTC
/// ticks of event time) and which stored event said so. A struct in the host's ring, so a record
/// costs its bytes and no object; packed to 4 bytes, which makes it 36 bytes instead of 40.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct ConnectionRecord(IpKey Initiator, long Ticks, long EventId, ushort Port);
