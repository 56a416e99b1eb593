using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A condition of a <see cref="Channel"/> to wait for (<see cref="Channel.WaitFor(ChannelCondition, System.TimeSpan, System.Threading.CancellationToken)"/>,
/// <see cref="Channel.WaitForAsync(ChannelCondition, System.TimeSpan, System.Threading.CancellationToken)"/>). Waiting takes nothing:
/// with several peers on the same side, the call that follows may still have to wait.
/// </summary>
public enum ChannelCondition
{
    /// <summary>A message is queued, or receiving would report <see cref="ShmLinkStatus.Closed"/> (a receiving handle only).</summary>
    CanReceive = (int)shmlink.SHMLINK_CHANNEL_CAN_RECEIVE,
    /// <summary>A message of the channel's maximum length fits, or sending would report
    /// <see cref="ShmLinkStatus.Closed"/> (a sending handle only).</summary>
    CanSend = (int)shmlink.SHMLINK_CHANNEL_CAN_SEND,
    /// <summary>At least one sender is attached, in any process (this handle counts if it sends).</summary>
    SendersPresent = (int)shmlink.SHMLINK_CHANNEL_SENDERS_PRESENT,
    /// <summary>At least one receiver is attached, in any process (this handle counts if it receives).</summary>
    ReceiversPresent = (int)shmlink.SHMLINK_CHANNEL_RECEIVERS_PRESENT,
    /// <summary>Senders had attached and none is left: receiving, once the queue is drained, reports
    /// <see cref="ShmLinkStatus.Closed"/>.</summary>
    SendersGone = (int)shmlink.SHMLINK_CHANNEL_SENDERS_GONE,
    /// <summary>Receivers had attached and none is left: sending reports <see cref="ShmLinkStatus.Closed"/>.</summary>
    ReceiversGone = (int)shmlink.SHMLINK_CHANNEL_RECEIVERS_GONE,
}
