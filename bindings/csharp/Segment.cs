using System;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A named (or file-backed) shared memory segment, as CreateFileMapping / OpenFileMapping make
/// on Windows, with the same behaviour on Linux. Map it to read and write its bytes. The
/// segment lives while any handle or view to it is open in any process; a view stays valid
/// after its segment object is disposed.
/// </summary>
public sealed class Segment : ShmLinkObject
{
    private long _size = -1;

    private Segment(ulong handle, string? name, SegmentAccess access, bool created) : base(handle, name)
    {
        Access = access;
        Created = created;
    }

    /// <summary>The access this handle has: views may ask for this much or less.</summary>
    public SegmentAccess Access { get; }

    /// <summary>Whether this call created the segment (false when an existing one was opened).</summary>
    public bool Created { get; }

    /// <summary>The segment's size in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long Size
    {
        get
        {
            if (_size >= 0)
            {
                ThrowIfDisposed();
                return _size;
            }
            using var use = UseHandle();
            Failure.ThrowIfFailed(shmlink.segment_size(use.Value, out ulong size));
            _size = (long)size;
            return _size;
        }
    }

    /// <summary>Creates a new named segment of <paramref name="size"/> zero-filled bytes, read-write.</summary>
    /// <param name="name">The name: optional <c>Local\</c> or <c>Global\</c>, then 1 to 200 bytes of UTF-8
    /// with no <c>/</c>, <c>\</c> or control characters.</param>
    /// <param name="size">The size in bytes (at least 1).</param>
    /// <param name="sharing">Who else may open it.</param>
    /// <returns>The new segment.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.AlreadyExists"/>,
    /// <see cref="ShmLinkStatus.InvalidName"/>, <see cref="ShmLinkStatus.WrongKind"/>,
    /// <see cref="ShmLinkStatus.NoResources"/>.</exception>
    public static Segment Create(string name, long size, ObjectSharing sharing = ObjectSharing.CurrentUser)
    {
        ArgumentNullException.ThrowIfNull(name);
        int status = shmlink.segment_create(name, ToSize(size), shmlink.SHMLINK_CREATE_NEW | (uint)sharing,
                                            out ulong handle);
        Failure.ThrowIfFailed(status);
        return new Segment(handle, name, SegmentAccess.ReadWrite, created: true);
    }

    /// <summary>Creates an unnamed segment of <paramref name="size"/> zero-filled bytes, read-write
    /// (CreateFileMapping with no name): only this object and its views reach it.</summary>
    /// <param name="size">The size in bytes (at least 1).</param>
    /// <returns>The new segment.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NoResources"/>.</exception>
    public static Segment CreateUnnamed(long size)
    {
        Failure.ThrowIfFailed(shmlink.segment_create(null!, ToSize(size), shmlink.SHMLINK_CREATE_NEW, out ulong handle));
        return new Segment(handle, null, SegmentAccess.ReadWrite, created: true);
    }

    /// <summary>Opens the named segment if it exists (read-write, with its own size), or creates it.</summary>
    /// <param name="name">The name (see <see cref="Create"/>).</param>
    /// <param name="size">The size in bytes if it is created.</param>
    /// <param name="created">True if this call created it.</param>
    /// <param name="sharing">Who else may open it, if it is created.</param>
    /// <returns>The segment.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.WrongKind"/>,
    /// <see cref="ShmLinkStatus.AccessDenied"/>.</exception>
    public static Segment OpenOrCreate(string name, long size, out bool created,
                                       ObjectSharing sharing = ObjectSharing.CurrentUser)
    {
        ArgumentNullException.ThrowIfNull(name);
        int status = shmlink.segment_create(name, ToSize(size), shmlink.SHMLINK_OPEN_OR_CREATE | (uint)sharing,
                                            out ulong handle);
        Failure.ThrowIfFailed(status);
        created = status == shmlink.SHMLINK_OK;
        return new Segment(handle, name, SegmentAccess.ReadWrite, created);
    }

    /// <summary>Opens an existing named segment.</summary>
    /// <param name="name">The name.</param>
    /// <param name="access">The access wanted.</param>
    /// <returns>The segment.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NotFound"/>,
    /// <see cref="ShmLinkStatus.WrongKind"/>, <see cref="ShmLinkStatus.AccessDenied"/>.</exception>
    public static Segment Open(string name, SegmentAccess access = SegmentAccess.ReadWrite)
    {
        ArgumentNullException.ThrowIfNull(name);
        Failure.ThrowIfFailed(shmlink.segment_open(name, (uint)access, out ulong handle));
        return new Segment(handle, name, access, created: false);
    }

    /// <summary>
    /// Makes a segment backed by a file, whose data outlives every process. With
    /// <see cref="SegmentAccess.ReadWrite"/> the file is created if missing and grown to
    /// <paramref name="size"/> if shorter. With a name, other processes open it with
    /// <see cref="Open"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="name">A name for other processes, or null for an unnamed segment.</param>
    /// <param name="size">The size in bytes, or 0 for the file's current size.</param>
    /// <param name="access">How the file is opened.</param>
    /// <param name="openExisting">With a name: open the segment if the name exists (otherwise that fails
    /// with <see cref="ShmLinkStatus.AlreadyExists"/>).</param>
    /// <param name="sharing">Who else may open a named segment.</param>
    /// <returns>The segment; <see cref="Created"/> is false if an existing name was opened.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NotFound"/> (a missing file
    /// without write access), <see cref="ShmLinkStatus.InvalidArgument"/> (size 0 with an empty file),
    /// <see cref="ShmLinkStatus.AccessDenied"/>.</exception>
    public static Segment FromFile(string path, string? name = null, long size = 0,
                                   SegmentAccess access = SegmentAccess.ReadWrite, bool openExisting = false,
                                   ObjectSharing sharing = ObjectSharing.CurrentUser)
    {
        ArgumentNullException.ThrowIfNull(path);
        uint flags = (uint)sharing | (name != null && openExisting ? shmlink.SHMLINK_OPEN_OR_CREATE : 0u);
        int status = shmlink.segment_from_file(path, name!, ToSize(size), (uint)access, flags, out ulong handle);
        Failure.ThrowIfFailed(status);
        return new Segment(handle, name, access, created: status == shmlink.SHMLINK_OK);
    }

    /// <summary>
    /// Maps <paramref name="length"/> bytes starting at <paramref name="offset"/> (any offset: the
    /// library aligns internally). The view keeps this segment alive while it is in use.
    /// </summary>
    /// <param name="offset">The first byte of the view.</param>
    /// <param name="length">How many bytes, or 0 for everything to the end of the segment.</param>
    /// <param name="access">The view's access, at most the segment's; null: the segment's.</param>
    /// <returns>The view.</returns>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.OutOfRange"/> past the end,
    /// <see cref="ShmLinkStatus.AccessDenied"/> for more access than the segment handle has.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public View Map(long offset = 0, long length = 0, SegmentAccess? access = null) =>
        MapCore(IntPtr.Zero, offset, length, access);

    /// <summary>
    /// Maps as <see cref="Map"/> does, but so that byte <paramref name="offset"/> appears at
    /// <paramref name="address"/> (MapViewOfFileEx), never elsewhere and never over what is mapped there: for
    /// structures that every process maps at the same address. The address must lie as the offset does within
    /// the allocation granularity (64 KiB on Windows, the page size on Linux).
    /// </summary>
    /// <param name="address">Where byte <paramref name="offset"/> is to appear.</param>
    /// <param name="offset">The first byte of the view.</param>
    /// <param name="length">How many bytes, or 0 for everything to the end of the segment.</param>
    /// <param name="access">The view's access, at most the segment's; null: the segment's.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException">A zero address.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.AlreadyExists"/> if something is mapped in the
    /// range, <see cref="ShmLinkStatus.InvalidArgument"/> for an address that does not lie as the offset does or
    /// is outside the address space, and as <see cref="Map"/>.</exception>
    public View MapAt(IntPtr address, long offset = 0, long length = 0, SegmentAccess? access = null)
    {
        if (address == IntPtr.Zero) throw new ArgumentException("The address is zero: use Map to map anywhere.", nameof(address));
        return MapCore(address, offset, length, access);
    }

    private unsafe View MapCore(IntPtr at, long offset, long length, SegmentAccess? access)
    {
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, "An offset is not negative.");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A length is not negative.");
        SegmentAccess viewAccess = access ?? Access;
        ulong view;
        IntPtr address = at;
        using (var use = UseHandle())
        {
            if (at == IntPtr.Zero)
                Failure.ThrowIfFailed(shmlink.map(use.Value, (ulong)offset, (ulong)length, (uint)viewAccess,
                                                  out view, out address));
            else
                Failure.ThrowIfFailed(shmlink.map_at(use.Value, (ulong)offset, (ulong)length, (uint)viewAccess,
                                                     (void*)at, out view));
        }
        ulong viewLength = 0;
        int status = shmlink.view_info(view, out _, out viewLength);
        if (status < 0)
        {
            Exception error = Failure.FromLastError(status);
            shmlink.close(view);
            throw error;
        }
        return new View(view, this, address, offset, (long)viewLength, viewAccess);
    }

    private static ulong ToSize(long size) =>
        size >= 0 ? (ulong)size : throw new ArgumentOutOfRangeException(nameof(size), size, "A size is not negative.");
}
