using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using Xunit;

[assembly: CollectionBehavior(MaxParallelThreads = 2)]

namespace ShmLink.Tests;

/// <summary>The build tree's bin/ folder, recorded at build time.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ProgramDirAttribute : Attribute
{
    public ProgramDirAttribute(string path) => Path = path;
    public string Path { get; }
}

/// <summary>Names no other test or run uses, so tests can run in parallel and after a crash.</summary>
public static class Names
{
    private static readonly string Prefix = $"shmlink-cs-test.{Environment.ProcessId}.";
    private static int _next;

    public static string Unique(string what) => $"{Prefix}{what}.{Interlocked.Increment(ref _next)}";
}

/// <summary>A program of the build tree (the peer helper, the C examples), started with its
/// standard streams redirected; killed on dispose if it still runs.</summary>
public sealed class Program : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public static string BinDir
    {
        get
        {
            string? dir = Environment.GetEnvironmentVariable("SHMLINK_BIN_DIR");
            if (string.IsNullOrEmpty(dir))
                dir = typeof(Program).Assembly.GetCustomAttribute<ProgramDirAttribute>()?.Path;
            return dir ?? throw new InvalidOperationException("SHMLINK_BIN_DIR is not set");
        }
    }

    public static string PathOf(string name) => System.IO.Path.Combine(BinDir, name);

    public Program(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file.Contains('/') ? file : PathOf(file))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        _process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null) lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
    }

    public StreamWriter Input => _process.StandardInput;

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>The next line of standard output, or a failed assertion after the timeout.</summary>
    public string ReadLine(TimeSpan? timeout = null)
    {
        var task = _process.StandardOutput.ReadLineAsync();
        Assert.True(task.Wait(timeout ?? DefaultTimeout), $"no output line in time; stderr: {Stderr}");
        return task.Result ?? throw new Xunit.Sdk.XunitException($"end of output; stderr: {Stderr}");
    }

    public string ReadToEnd(TimeSpan? timeout = null)
    {
        var task = _process.StandardOutput.ReadToEndAsync();
        Assert.True(task.Wait(timeout ?? DefaultTimeout), $"output did not end in time; stderr: {Stderr}");
        return task.Result;
    }

    public void ExpectLine(string expected) => Assert.Equal(expected, ReadLine());

    public void CloseInput() => _process.StandardInput.Close();

    public int WaitForExit(TimeSpan? timeout = null)
    {
        Assert.True(_process.WaitForExit(timeout ?? DefaultTimeout), $"the program did not exit in time; stderr: {Stderr}");
        _process.WaitForExit(); // drains the asynchronous stderr reader
        return _process.ExitCode;
    }

    public void Kill()
    {
        // On Windows the programs started here start none of their own: killing the process
        // is enough. The whole-tree kill walks every process's start time, and under Wine some
        // of its system processes report one that is not a valid FILETIME
        // (ArgumentOutOfRangeException from Process.Kill, seen in 1 of 15 runs).
        if (!_process.HasExited) _process.Kill(entireProcessTree: !OperatingSystem.IsWindows());
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) Kill();
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>Assertions on the library's failures: the exception is the standard .NET type for its
/// status (the mapping written out here again, so that a change to it shows) and carries it.</summary>
public static class ShmLinkAssert
{
    private static Type ExpectedType(ShmLinkStatus status) => status switch
    {
        ShmLinkStatus.InvalidArgument or ShmLinkStatus.InvalidName or ShmLinkStatus.TooLarge
            or ShmLinkStatus.BufferTooSmall => typeof(ShmLinkArgumentException),
        ShmLinkStatus.OutOfRange => typeof(ShmLinkOutOfRangeException),
        ShmLinkStatus.BadHandle => typeof(ShmLinkDisposedException),
        ShmLinkStatus.NotFound => typeof(ShmLinkNotFoundException),
        ShmLinkStatus.AccessDenied => typeof(ShmLinkAccessDeniedException),
        ShmLinkStatus.Corrupt => typeof(InvalidDataException),
        ShmLinkStatus.Timeout => typeof(ShmLinkTimeoutException),
        ShmLinkStatus.NotSupported => typeof(ShmLinkNotSupportedException),
        ShmLinkStatus.NotOwner => typeof(ShmLinkNotOwnerException),
        ShmLinkStatus.LimitExceeded => typeof(ShmLinkSemaphoreFullException),
        _ => typeof(ShmLinkException),
    };

    /// <summary>Checks that `error` is a library failure of the right type for its status.</summary>
    public static IShmLinkError IsFailure(Exception? error)
    {
        Assert.NotNull(error);
        IShmLinkError? failure = error.AsShmLinkError();
        Assert.True(failure != null, $"not a shmlink failure: {error}");
        Assert.IsType(ExpectedType(failure.Status), error);
        Assert.Equal(error.Message, failure.NativeMessage.Length != 0 ? failure.NativeMessage : error.Message);
        return failure;
    }

    /// <summary>The message names the status exactly once (the library's message already does; nothing
    /// adds it again).</summary>
    public static void NamesStatusOnce(string statusName, string message)
    {
        int first = message.IndexOf(statusName, StringComparison.Ordinal);
        Assert.True(first >= 0, $"\"{message}\" does not name {statusName}");
        Assert.True(message.IndexOf(statusName, first + statusName.Length, StringComparison.Ordinal) < 0,
                    $"\"{message}\" names {statusName} twice");
    }

    /// <summary>Runs `action`, which must fail with a library failure; returns it.</summary>
    public static IShmLinkError Fails(Action action)
    {
        Exception? thrown = null;
        try
        {
            action();
        }
        catch (Exception error)
        {
            thrown = error;
        }
        Assert.True(thrown != null, "expected a shmlink failure, nothing was thrown");
        return IsFailure(thrown);
    }
}
