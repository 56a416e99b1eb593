using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// The library's status codes (<c>shmlink_status</c>): zero or positive for success, negative for
/// failure. The values are part of the C ABI and never change.
/// </summary>
public enum ShmLinkStatus
{
    /// <summary>Success; with open-or-create: the object was created.</summary>
    Ok = shmlink.SHMLINK_OK,
    /// <summary>A mutex was acquired, but its previous owner died holding it.</summary>
    Abandoned = shmlink.SHMLINK_ABANDONED,
    /// <summary>With open-or-create: an existing object was opened.</summary>
    Existed = shmlink.SHMLINK_EXISTED,
    /// <summary>A null pointer, unknown flag bits, a size of 0 or a bad count.</summary>
    InvalidArgument = shmlink.SHMLINK_ERR_INVALID_ARGUMENT,
    /// <summary>The name breaks the naming rules.</summary>
    InvalidName = shmlink.SHMLINK_ERR_INVALID_NAME,
    /// <summary>No object of that name.</summary>
    NotFound = shmlink.SHMLINK_ERR_NOT_FOUND,
    /// <summary>Create-new on a name that exists.</summary>
    AlreadyExists = shmlink.SHMLINK_ERR_ALREADY_EXISTS,
    /// <summary>The name belongs to another kind of object.</summary>
    WrongKind = shmlink.SHMLINK_ERR_WRONG_KIND,
    /// <summary>Permissions, or a write through a read-only handle.</summary>
    AccessDenied = shmlink.SHMLINK_ERR_ACCESS_DENIED,
    /// <summary>A closed, unknown or wrong-kind handle.</summary>
    BadHandle = shmlink.SHMLINK_ERR_BAD_HANDLE,
    /// <summary>An offset or length outside the segment.</summary>
    OutOfRange = shmlink.SHMLINK_ERR_OUT_OF_RANGE,
    /// <summary>The wait expired (also "would block" with a zero timeout).</summary>
    Timeout = shmlink.SHMLINK_ERR_TIMEOUT,
    /// <summary>Memory, address space, the handle table or a system limit ran out.</summary>
    NoResources = shmlink.SHMLINK_ERR_NO_RESOURCES,
    /// <summary>A message longer than the channel's maximum.</summary>
    TooLarge = shmlink.SHMLINK_ERR_TOO_LARGE,
    /// <summary>The buffer is too small for the message.</summary>
    BufferTooSmall = shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL,
    /// <summary>Shared state failed validation (a crashed or hostile peer).</summary>
    Corrupt = shmlink.SHMLINK_ERR_CORRUPT,
    /// <summary>The object was made by an incompatible layout version.</summary>
    Incompatible = shmlink.SHMLINK_ERR_INCOMPATIBLE,
    /// <summary>Unlock of a mutex this thread does not hold.</summary>
    NotOwner = shmlink.SHMLINK_ERR_NOT_OWNER,
    /// <summary>A semaphore release past its maximum count.</summary>
    LimitExceeded = shmlink.SHMLINK_ERR_LIMIT_EXCEEDED,
    /// <summary>A channel whose other side is gone.</summary>
    Closed = shmlink.SHMLINK_ERR_CLOSED,
    /// <summary>A pub/sub channel overwrote a peeked message before its consume (the overwrite policy).</summary>
    Overwritten = shmlink.SHMLINK_ERR_OVERWRITTEN,
    /// <summary>Not available on this platform.</summary>
    NotSupported = shmlink.SHMLINK_ERR_NOT_SUPPORTED,
    /// <summary>Any other operating-system failure; see <see cref="IShmLinkError.OsError"/>.</summary>
    SystemError = shmlink.SHMLINK_ERR_SYSTEM,
}
