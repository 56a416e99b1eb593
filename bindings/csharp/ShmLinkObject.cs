using System;
using ShmLink.Internal;

namespace ShmLink;

/// <summary>
/// A shmlink object held through a handle: a segment, a view, a signal, a mutex, a semaphore or a channel.
/// Dispose closes the handle (disposing twice is harmless); the object itself lives on while any
/// handle or view to it is open in any process. Using a disposed object throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
public abstract class ShmLinkObject : IDisposable
{
    private readonly NativeHandle _handle;
    // Set by Dispose. The handle's own IsClosed becomes true only once no call (or asynchronous wait) holds it
    // any more, which may be later.
    private volatile bool _disposed;

    private protected ShmLinkObject(ulong handle, string? name)
    {
        _handle = new NativeHandle(handle);
        Name = name;
    }

    /// <summary>The name the object was created or opened with, or null for an unnamed one.</summary>
    public string? Name { get; }

    /// <summary>Whether <see cref="Dispose()"/> was called.</summary>
    public bool IsDisposed => _disposed || _handle.IsClosed;

    /// <summary>The handle for one native call; dispose it right after the call.</summary>
    private protected HandleUse UseHandle() => new(_handle, this);

    /// <summary>Throws ObjectDisposedException if this object was disposed.</summary>
    private protected void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(GetType().FullName);
    }

    internal NativeHandle NativeHandle => _handle;

    /// <summary>Closes the handle (CloseHandle). Harmless on a disposed object.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the handle; derived classes release what they hold first.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        _disposed = true;
        _handle.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({Name ?? "unnamed"}{(IsDisposed ? ", disposed" : "")})";
}
