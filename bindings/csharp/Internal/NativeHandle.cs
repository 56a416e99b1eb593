using System;
using System.Runtime.InteropServices;
using ShmLink.Native;

namespace ShmLink.Internal;

/// <summary>
/// A shmlink handle of any kind. SafeHandle's reference count keeps a handle from being closed
/// while a call on another thread still uses it, and its finalizer closes a handle nobody
/// disposed. shmlink handles are 64-bit values; the package ships 64-bit natives only.
/// </summary>
internal sealed class NativeHandle : SafeHandle
{
    internal NativeHandle(ulong value) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(unchecked((IntPtr)(long)value));
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal ulong Value => unchecked((ulong)(long)handle);

    protected override bool ReleaseHandle() => shmlink.close(Value) >= 0;
}
