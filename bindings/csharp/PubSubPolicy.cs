using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// What a publish/subscribe <see cref="Channel"/> does with a subscriber that falls behind, chosen at
/// creation (<see cref="Channel.CreatePubSub"/>).
/// </summary>
public enum PubSubPolicy
{
    /// <summary>Publishers wait for room, bounded by the slowest live subscriber; a subscriber that died
    /// stalls nobody.</summary>
    Block = 0,
    /// <summary>Publishers never wait for subscribers: they overwrite the oldest messages, and a subscriber
    /// that was overtaken goes on at the oldest message left, counting what it lost
    /// (<see cref="Channel.Lost"/>).</summary>
    Overwrite = (int)shmlink.SHMLINK_CHANNEL_OVERWRITE,
}
