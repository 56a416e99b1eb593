using System;

namespace ShmLink.Internal;

/// <summary>One use of a handle: holds a reference on it for the duration of a native call, so a
/// concurrent Dispose cannot close it underneath the call.</summary>
internal ref struct HandleUse
{
    private readonly NativeHandle _handle;
    private bool _added;

    internal HandleUse(NativeHandle handle, object owner)
    {
        _handle = handle;
        _added = false;
        if (handle.IsClosed || owner is ShmLinkObject { IsDisposed: true })
            throw new ObjectDisposedException(owner.GetType().FullName);
        try
        {
            handle.DangerousAddRef(ref _added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(owner.GetType().FullName);
        }
    }

    internal readonly ulong Value => _handle.Value;

    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _handle.DangerousRelease();
        }
    }
}
