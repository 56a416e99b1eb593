using System;
using ShmLink.Native;

namespace ShmLink;

/// <summary>Who besides the creating user may open a named object. On Linux, <c>Local\</c> names live
/// in a per-user namespace, so these matter for <c>Global\</c> names there; on Windows they set the
/// object's DACL for either prefix.</summary>
[Flags]
public enum ObjectSharing
{
    /// <summary>Only the creating user (the default).</summary>
    CurrentUser = 0,
    /// <summary>The creating user's group as well.</summary>
    Group = (int)shmlink.SHMLINK_SHARE_GROUP,
    /// <summary>Every user of the machine.</summary>
    AllUsers = (int)shmlink.SHMLINK_SHARE_ALL_USERS,
}

/// <summary>How a segment or view may be accessed.</summary>
public enum SegmentAccess
{
    /// <summary>Read only: writing through such a view is not allowed.</summary>
    Read = (int)shmlink.SHMLINK_ACCESS_READ,
    /// <summary>Read and write; writes are seen by every process.</summary>
    ReadWrite = (int)shmlink.SHMLINK_ACCESS_READ_WRITE,
    /// <summary>Read and write, but writes stay private to the view.</summary>
    CopyOnWrite = (int)shmlink.SHMLINK_ACCESS_COPY_ON_WRITE,
}
