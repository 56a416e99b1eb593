using System;
using ShmLink.Native;

namespace ShmLink;

/// <summary>What a <see cref="Channel"/> handle may do: send, receive, or both.</summary>
[Flags]
public enum ChannelRole
{
    /// <summary>The handle sends (<c>SHMLINK_CHANNEL_SENDER</c>).</summary>
    Sender = (int)shmlink.SHMLINK_CHANNEL_SENDER,
    /// <summary>The handle receives (<c>SHMLINK_CHANNEL_RECEIVER</c>).</summary>
    Receiver = (int)shmlink.SHMLINK_CHANNEL_RECEIVER,
    /// <summary>The handle sends and receives.</summary>
    Both = Sender | Receiver,
}
