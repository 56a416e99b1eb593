using System;
using System.Runtime.CompilerServices;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// Mapped bytes of a <see cref="Segment"/> (MapViewOfFile): read and write them in place through
/// <see cref="Span"/>, <see cref="ReadOnlySpan"/>, <see cref="Read{T}"/> and <see cref="Write{T}"/>,
/// without copying. A live view keeps its segment alive, also when nothing else references the
/// <see cref="Segment"/> object. Disposing unmaps it: a span taken before must not be used after.
/// </summary>
/// <remarks>The memory is shared with other processes, which may change it at any time: check what
/// you read from it before trusting it.</remarks>
public sealed unsafe class View : ShmLinkObject
{
    private readonly Segment _segment; // what keeps the segment alive while this view is
    private readonly byte* _address;

    internal View(ulong handle, Segment segment, IntPtr address, long offset, long length, SegmentAccess access)
        : base(handle, segment.Name)
    {
        _segment = segment;
        _address = (byte*)address;
        Offset = offset;
        Length = length;
        Access = access;
    }

    /// <summary>The segment this view maps.</summary>
    public Segment Segment => _segment;

    /// <summary>The offset in the segment of the view's first byte.</summary>
    public long Offset { get; }

    /// <summary>The view's length in bytes.</summary>
    public long Length { get; }

    /// <summary>The view's access.</summary>
    public SegmentAccess Access { get; }

    /// <summary>Whether the view may be written (read-write or copy-on-write).</summary>
    public bool IsWritable => Access != SegmentAccess.Read;

    /// <summary>The address of the view's first byte in this process.</summary>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public IntPtr Address
    {
        get
        {
            ThrowIfDisposed();
            return (IntPtr)_address;
        }
    }

    /// <summary>All of the view's bytes, writable.</summary>
    /// <exception cref="InvalidOperationException">The view is read-only, or longer than a span can be
    /// (use <see cref="GetSpan"/>).</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public Span<byte> Span => GetSpan(0, WholeLength());

    /// <summary>All of the view's bytes, read-only.</summary>
    /// <exception cref="InvalidOperationException">The view is longer than a span can be (use
    /// <see cref="GetReadOnlySpan"/>).</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public ReadOnlySpan<byte> ReadOnlySpan => GetReadOnlySpan(0, WholeLength());

    /// <summary><paramref name="length"/> writable bytes starting at <paramref name="offset"/> in the view.</summary>
    /// <param name="offset">The offset in the view.</param>
    /// <param name="length">How many bytes.</param>
    /// <returns>The bytes, in place.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the view.</exception>
    /// <exception cref="InvalidOperationException">The view is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public Span<byte> GetSpan(long offset, int length)
    {
        ThrowIfReadOnly();
        return new Span<byte>(At(offset, length), length);
    }

    /// <summary><paramref name="length"/> bytes starting at <paramref name="offset"/> in the view, read-only.</summary>
    /// <param name="offset">The offset in the view.</param>
    /// <param name="length">How many bytes.</param>
    /// <returns>The bytes, in place.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the view.</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public ReadOnlySpan<byte> GetReadOnlySpan(long offset, int length) =>
        new(At(offset, length), length);

    /// <summary>Reads an unmanaged value at <paramref name="offset"/> (no alignment needed).</summary>
    /// <typeparam name="T">An unmanaged type (a primitive or a struct of them).</typeparam>
    /// <param name="offset">The offset in the view.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value would not be inside the view.</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public T Read<T>(long offset) where T : unmanaged =>
        Unsafe.ReadUnaligned<T>(At(offset, sizeof(T)));

    /// <summary>Writes an unmanaged value at <paramref name="offset"/> (no alignment needed).</summary>
    /// <typeparam name="T">An unmanaged type (a primitive or a struct of them).</typeparam>
    /// <param name="offset">The offset in the view.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value would not be inside the view.</exception>
    /// <exception cref="InvalidOperationException">The view is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public void Write<T>(long offset, in T value) where T : unmanaged
    {
        ThrowIfReadOnly();
        Unsafe.WriteUnaligned(At(offset, sizeof(T)), value);
    }

    /// <summary>Writes the view's modified pages back to their backing (for a file-backed segment:
    /// to the file, synchronously).</summary>
    /// <exception cref="IShmLinkError">The write-back failed.</exception>
    /// <exception cref="ObjectDisposedException">The view was disposed.</exception>
    public void Flush()
    {
        using var use = UseHandle();
        Failure.ThrowIfFailed(shmlink.flush(use.Value));
    }

    private byte* At(long offset, int length)
    {
        ThrowIfDisposed();
        if (offset < 0 || offset > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"The view has {Length} bytes.");
        if (length < 0 || length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"{length} bytes at offset {offset} do not fit in the view's {Length} bytes.");
        return _address + offset;
    }

    private int WholeLength() =>
        Length <= int.MaxValue
            ? (int)Length
            : throw new InvalidOperationException($"The view's {Length} bytes do not fit in one span: use GetSpan.");

    private void ThrowIfReadOnly()
    {
        if (!IsWritable) throw new InvalidOperationException("The view is read-only.");
    }
}
