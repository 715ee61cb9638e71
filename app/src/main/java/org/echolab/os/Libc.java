package org.echolab.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.util.Locale;
import java.util.Optional;

/**
 * The few libc calls the process models need, bound with the Foreign Function &amp; Memory API
 * (no JNI, no JDK internals). Java has no usable {@code fork()}: a forked JVM keeps only the
 * calling thread. {@code posix_spawn} is fork+exec done safely in one call, and it lets the parent
 * say exactly which descriptors the child gets.
 *
 * <p>Linux with glibc 2.34 or newer only (for {@code posix_spawn_file_actions_addclosefrom_np});
 * the constants and struct sizes below are Linux's (x86_64 and aarch64 agree on all of them).
 * Opaque libc structs are allocated larger than glibc needs, so a smaller mistake cannot overrun.
 *
 * <p>Thread-safe: every method is a plain system call on memory the call allocates itself.
 */
public final class Libc {

    // <sys/socket.h>, <netinet/in.h>
    static final int AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_REUSEPORT = 15, SO_RCVLOWAT = 18;
    // <poll.h>
    static final short POLLIN = 1, POLLERR = 0x008, POLLHUP = 0x010, POLLRDHUP = 0x2000;
    /** What {@link #poll} reports: bytes (or an end) to read, the peer closed its side, an error or hang-up. */
    public static final short READABLE = POLLIN, PEER_CLOSED = POLLRDHUP, FAILED = POLLERR | POLLHUP;
    // <spawn.h> (glibc)
    static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    // <sys/wait.h>
    static final int P_ALL = 0, WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    // <sys/socket.h>: Unix-domain sockets and descriptor passing
    static final int AF_UNIX = 1, SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_PEEK = 0x2, MSG_DONTWAIT = 0x40;
    // <linux/netlink.h>, <linux/sock_diag.h>: the kernel's lists of sockets, as ss reads them
    static final int AF_NETLINK = 16, SOCK_DGRAM = 2, NETLINK_SOCK_DIAG = 4;
    // <errno.h>
    static final int EINTR = 4, ECHILD = 10, EAGAIN = 11, EADDRINUSE = 98, ECONNABORTED = 103, EOWNERDEAD = 130;
    /** Signals, for {@link #kill}. */
    public static final int SIGKILL = 9, SIGTERM = 15, SIGWINCH = 28;

    static final long OPAQUE = 1024; // posix_spawn_file_actions_t is 80 bytes, attr 336
    static final long SIGSET = 128; // sigset_t
    static final long SIGINFO = 128; // siginfo_t
    static final long SIGINFO_PID = 16; // offsetof(siginfo_t, si_pid) on 64-bit Linux
    static final long SIGINFO_STATUS = 24; // offsetof(siginfo_t, si_status)

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final String UNSUPPORTED = unsupportedReason0();

    // Calls that report failure through errno capture it right after the call, before the JVM can
    // make another system call on this thread and overwrite it.
    private static final MethodHandle SOCKET = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle BIND = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = errnoCall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle ACCEPT4 = errnoCall("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = errnoCall("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CLOSE = errnoCall("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle WAITID = errnoCall("waitid", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle WAITPID = errnoCall("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle KILL = errnoCall("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR =
            errnoCall("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle SENDMSG = errnoCall("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMSG = errnoCall("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle DUP2 = errnoCall("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = errnoCall("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = errnoCall("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle SEND = errnoCall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECV = errnoCall("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SHUTDOWN = errnoCall("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETPEERNAME = errnoCall("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    // The pthread family, too, returns the error number.
    private static final MethodHandle MUTEXATTR_INIT = call("pthread_mutexattr_init", JAVA_INT, ADDRESS);
    private static final MethodHandle MUTEXATTR_SETPSHARED =
            call("pthread_mutexattr_setpshared", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle MUTEXATTR_SETROBUST =
            call("pthread_mutexattr_setrobust", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle MUTEX_INIT = call("pthread_mutex_init", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle MUTEX_LOCK = call("pthread_mutex_lock", JAVA_INT, ADDRESS);
    private static final MethodHandle MUTEX_CONSISTENT = call("pthread_mutex_consistent", JAVA_INT, ADDRESS);
    private static final MethodHandle MUTEX_UNLOCK = call("pthread_mutex_unlock", JAVA_INT, ADDRESS);
    // The posix_spawn family returns the error number itself and leaves errno alone.
    private static final MethodHandle SPAWN =
            call("posix_spawn", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle FA_INIT = call("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    private static final MethodHandle FA_DESTROY = call("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle FA_DUP2 =
            call("posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle FA_CLOSEFROM =
            call("posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle ATTR_INIT = call("posix_spawnattr_init", JAVA_INT, ADDRESS);
    private static final MethodHandle ATTR_DESTROY = call("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle ATTR_SETFLAGS = call("posix_spawnattr_setflags", JAVA_INT, ADDRESS, JAVA_SHORT);
    private static final MethodHandle ATTR_SETSIGMASK = call("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle ATTR_SETSIGDEFAULT =
            call("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle ATTR_SETPGROUP = call("posix_spawnattr_setpgroup", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SIGEMPTYSET = call("sigemptyset", JAVA_INT, ADDRESS);
    private static final MethodHandle SIGFILLSET = call("sigfillset", JAVA_INT, ADDRESS);
    private static final MethodHandle STRERROR = call("strerror", ADDRESS, JAVA_INT);
    private static final MethodHandle GETPPID = call("getppid", JAVA_INT);

    private Libc() {}

    /**
     * Why this platform cannot run the process models, or empty when it can: Linux with a libc
     * that has {@code posix_spawn} and {@code posix_spawn_file_actions_addclosefrom_np}.
     */
    public static Optional<String> unsupportedReason() {
        return Optional.ofNullable(UNSUPPORTED);
    }

    private static String unsupportedReason0() {
        String os = System.getProperty("os.name", "?");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "the process models spawn children with Linux's posix_spawn and closefrom; this is " + os
                    + " (macOS would need POSIX_SPAWN_CLOEXEC_DEFAULT and its own struct layouts: not written yet)."
                    + " Use a thread-based model (--model virtual, pool or thread)";
        }
        for (String f : new String[] {"posix_spawn", "posix_spawn_file_actions_addclosefrom_np", "accept4", "waitid"}) {
            if (LIBC.find(f).isEmpty()) {
                return "this C library has no " + f + " (glibc 2.34 or newer has all it needs)."
                        + " Use a thread-based model (--model virtual, pool or thread)";
            }
        }
        return null;
    }

    private static MethodHandle call(String name, MemoryLayout ret, MemoryLayout... args) {
        if (UNSUPPORTED != null) {
            return null; // never called: every entry point checks unsupportedReason()
        }
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(ret, args));
    }

    private static MethodHandle errnoCall(String name, MemoryLayout ret, MemoryLayout... args) {
        if (UNSUPPORTED != null) {
            return null;
        }
        return LINKER.downcallHandle(
                LIBC.find(name).orElseThrow(),
                FunctionDescriptor.of(ret, args),
                Linker.Option.captureCallState("errno"));
    }

    // ---- sockets -----------------------------------------------------------------------------

    /**
     * {@code socket()} + SO_REUSEADDR (+ SO_REUSEPORT if {@code reusePort}) + {@code bind()} +
     * {@code listen()}; the fd is close-on-exec.
     */
    static int listen(byte[] address, int port, int backlog, boolean reusePort) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int family = address.length == 4 ? AF_INET : AF_INET6;
            // close-on-exec: a child started by anyone else (ProcessBuilder) must not inherit it
            int fd = check(state, (int) SOCKET.invokeExact(state, family, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
            try {
                MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
                check(state, (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_REUSEADDR, one, 4), "setsockopt");
                if (reusePort) {
                    check(
                            state,
                            (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_REUSEPORT, one, 4),
                            "setsockopt");
                }
                MemorySegment sa = sockaddr(arena, address, port);
                int r = (int) BIND.invokeExact(state, fd, sa, (int) sa.byteSize());
                if (r < 0) {
                    int errno = errno(state);
                    throw errno == EADDRINUSE ? new BindException("Address already in use") : failure("bind", errno);
                }
                check(state, (int) LISTEN.invokeExact(state, fd, backlog), "listen");
                return fd;
            } catch (IOException | RuntimeException e) {
                close(fd);
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A netlink socket to the kernel's {@code protocol} (e.g. {@link #NETLINK_SOCK_DIAG}), close-on-exec. */
    static int netlinkSocket(int protocol) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return check(
                    state, (int) SOCKET.invokeExact(state, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, protocol), "socket");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The port a listening socket is bound to (after binding port 0). */
    static int localPort(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment sa = arena.allocate(128);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 128);
            check(state, (int) GETSOCKNAME.invokeExact(state, fd, sa, len), "getsockname");
            // sin_port and sin6_port are both at offset 2, in network byte order
            return Short.toUnsignedInt(htons(Short.toUnsignedInt(sa.get(JAVA_SHORT, 2))));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a connection and accepts it. Returns its fd
     * (close-on-exec), or -1 if none came in time. Polling first, rather than blocking in
     * {@code accept4}, lets the accept thread notice a stop without signals or closing races.
     */
    static int accept(int listenFd, int timeoutMillis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfd = arena.allocate(8); // struct pollfd { int fd; short events, revents; }
            pollfd.set(JAVA_INT, 0, listenFd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            int ready = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            if (ready < 0 && errno(state) != EINTR) {
                throw failure("poll", errno(state));
            }
            if (ready <= 0) {
                return -1;
            }
            int fd = (int) ACCEPT4.invokeExact(state, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            if (fd < 0) {
                int errno = errno(state);
                if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) {
                    return -1; // the client gave up between poll and accept
                }
                throw failure("accept4", errno);
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Closes a descriptor; errors are ignored (there is nothing to do about them). */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MemorySegment sockaddr(Arena arena, byte[] address, int port) {
        short netPort = htons(port);
        if (address.length == 4) { // struct sockaddr_in
            MemorySegment sa = arena.allocate(16);
            sa.set(JAVA_SHORT, 0, (short) AF_INET);
            sa.set(JAVA_SHORT, 2, netPort);
            MemorySegment.copy(address, 0, sa, JAVA_BYTE, 4, 4);
            return sa;
        }
        MemorySegment sa = arena.allocate(28); // struct sockaddr_in6
        sa.set(JAVA_SHORT, 0, (short) AF_INET6);
        sa.set(JAVA_SHORT, 2, netPort);
        MemorySegment.copy(address, 0, sa, JAVA_BYTE, 8, 16);
        return sa;
    }

    /** Network byte order (big-endian) for a 16-bit value; its own inverse. */
    private static short htons(int value) {
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN
                ? (short) value
                : Short.reverseBytes((short) value);
    }

    // ---- processes ---------------------------------------------------------------------------

    /**
     * Starts {@code argv} as a new process whose fd 0 is {@code stdin} and fd 1 is {@code stdout};
     * fd 2 stays the parent's stderr and every other descriptor is closed in the child. Returns the
     * pid. The child starts in a process group of its own, with an empty signal mask and default
     * signal dispositions, whatever the JVM's threads had set.
     */
    static int spawn(String[] argv, int stdin, int stdout) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE);
            MemorySegment attr = arena.allocate(OPAQUE);
            spawnCheck((int) FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            spawnCheck((int) ATTR_INIT.invokeExact(attr), "posix_spawnattr_init");
            try {
                // dup2 clears close-on-exec on the copy, so the socket survives the exec as 0 and 1
                spawnCheck((int) FA_DUP2.invokeExact(actions, stdin, 0), "adddup2");
                spawnCheck((int) FA_DUP2.invokeExact(actions, stdout, 1), "adddup2");
                // JDK sockets and the jar are not close-on-exec: without this every child would
                // inherit the listening socket and every other client's connection
                spawnCheck((int) FA_CLOSEFROM.invokeExact(actions, 3), "addclosefrom_np");
                MemorySegment none = arena.allocate(SIGSET);
                MemorySegment all = arena.allocate(SIGSET);
                int ignored = (int) SIGEMPTYSET.invokeExact(none);
                ignored = (int) SIGFILLSET.invokeExact(all);
                spawnCheck((int) ATTR_SETSIGMASK.invokeExact(attr, none), "setsigmask");
                spawnCheck((int) ATTR_SETSIGDEFAULT.invokeExact(attr, all), "setsigdefault");
                // a process group of its own: Ctrl-C in a terminal reaches the parent only, which
                // then stops its children in order instead of all dying at once
                spawnCheck((int) ATTR_SETPGROUP.invokeExact(attr, 0), "setpgroup");
                spawnCheck(
                        (int) ATTR_SETFLAGS.invokeExact(
                                attr, (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)),
                        "setflags");
                MemorySegment args = arena.allocate(ADDRESS, argv.length + 1); // NULL-terminated
                for (int i = 0; i < argv.length; i++) {
                    args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv[i]));
                }
                MemorySegment pid = arena.allocate(JAVA_INT);
                spawnCheck(
                        (int) SPAWN.invokeExact(pid, arena.allocateFrom(argv[0]), actions, attr, args, environ()),
                        "posix_spawn " + argv[0]);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(actions);
                ignored = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The process's live environment ({@code char **environ}), which the child gets as is. */
    private static MemorySegment environ() {
        return LIBC.find("environ")
                .orElseThrow()
                .reinterpret(ADDRESS.byteSize())
                .get(ADDRESS, 0);
    }

    /**
     * Blocks until some child of this process has exited and returns its pid WITHOUT reaping it
     * ({@code WNOWAIT}): the caller reaps it with {@link #reap} only if it is its own, so the
     * JVM's own {@code java.lang.Process} children keep their exit status. Returns 0 when this
     * process has no children at all, -1 when interrupted by a signal.
     */
    static int awaitExitedChild() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment info = arena.allocate(SIGINFO);
            int r = (int) WAITID.invokeExact(state, P_ALL, 0, info, WEXITED | WNOWAIT);
            if (r < 0) {
                return errno(state) == ECHILD ? 0 : -1;
            }
            return info.get(JAVA_INT, SIGINFO_PID);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Reaps the exited child {@code pid} (removes the zombie) and returns its raw wait status. */
    static int reap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment status = arena.allocate(JAVA_INT);
            int r;
            do {
                r = (int) WAITPID.invokeExact(state, pid, status, 0);
            } while (r < 0 && errno(state) == EINTR);
            return r < 0 ? -1 : status.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Reaps {@code pid} if it has exited: its wait status, or {@link Integer#MIN_VALUE} if it still runs. */
    static int tryReap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment status = arena.allocate(JAVA_INT);
            int r = (int) WAITPID.invokeExact(state, pid, status, WNOHANG);
            return r == pid ? status.get(JAVA_INT, 0) : r == 0 ? Integer.MIN_VALUE : -1;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Sends {@code signal} to {@code pid}; false if it is gone. */
    public static boolean kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) KILL.invokeExact(arena.allocate(CALL_STATE), pid, signal) == 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * This process's parent pid, straight from the kernel: unlike {@code ProcessHandle.parent()},
     * which reads /proc, it needs no file descriptor, so it stays true when descriptors run out.
     */
    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A wait status as words: "exit 0", "signal 9". */
    static String describeStatus(int status) {
        if (status == -1) {
            return "unknown";
        }
        int signal = status & 0x7f;
        return signal == 0 ? "exit " + ((status >> 8) & 0xff) : "signal " + signal;
    }

    // ---- descriptor passing ------------------------------------------------------------------

    // struct msghdr on 64-bit Linux: name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48
    static final long MSGHDR = 56, MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40;
    // struct cmsghdr: len (size_t) 0, level 8, type 12, data 16; CMSG_SPACE(sizeof(int)) = 24, CMSG_LEN = 20
    static final long CMSG_SPACE_INT = 24, CMSG_LEN_INT = 20, CMSG_LEVEL = 8, CMSG_TYPE = 12, CMSG_DATA = 16;

    /** {@code socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)}: two connected descriptors. */
    static int[] socketPair() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            check(
                    state,
                    (int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
                    "socketpair");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Sends {@code fd} over the Unix-domain socket {@code via} (SCM_RIGHTS), with one byte of data,
     * since a stream socket carries ancillary data only along with data. The receiver gets its own
     * descriptor for the same open socket; the sender's stays open until it closes it.
     */
    static void sendDescriptor(int via, int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment data = arena.allocate(1);
            MemorySegment msg = message(arena, data);
            MemorySegment control = msg.get(ADDRESS, MSG_CONTROL).reinterpret(CMSG_SPACE_INT);
            control.set(JAVA_LONG, 0, CMSG_LEN_INT);
            control.set(JAVA_INT, CMSG_LEVEL, SOL_SOCKET);
            control.set(JAVA_INT, CMSG_TYPE, SCM_RIGHTS);
            control.set(JAVA_INT, CMSG_DATA, fd);
            long n;
            do {
                n = (long) SENDMSG.invokeExact(state, via, msg, MSG_NOSIGNAL); // no SIGPIPE if the receiver is gone
            } while (n < 0 && errno(state) == EINTR);
            if (n < 0) {
                throw failure("sendmsg", errno(state));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Receives a descriptor sent with {@link #sendDescriptor} (blocking); it arrives close-on-exec.
     * Returns -1 at end of file: the sender closed its end (or died).
     */
    static int receiveDescriptor(int via) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment data = arena.allocate(1);
            MemorySegment msg = message(arena, data);
            long n;
            do {
                n = (long) RECVMSG.invokeExact(state, via, msg, MSG_CMSG_CLOEXEC);
            } while (n < 0 && errno(state) == EINTR);
            if (n < 0) {
                throw failure("recvmsg", errno(state));
            }
            if (n == 0) {
                return -1;
            }
            MemorySegment control = msg.get(ADDRESS, MSG_CONTROL).reinterpret(CMSG_SPACE_INT);
            if (msg.get(JAVA_LONG, MSG_CONTROLLEN) < CMSG_LEN_INT
                    || control.get(JAVA_INT, CMSG_LEVEL) != SOL_SOCKET
                    || control.get(JAVA_INT, CMSG_TYPE) != SCM_RIGHTS) {
                throw new IOException("recvmsg: a message without a descriptor");
            }
            return control.get(JAVA_INT, CMSG_DATA);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A msghdr with one iovec over {@code data} and room for one descriptor of control data. */
    private static MemorySegment message(Arena arena, MemorySegment data) {
        MemorySegment iov = arena.allocate(16); // struct iovec { void *base; size_t len; }
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, data.byteSize());
        MemorySegment msg = arena.allocate(MSGHDR);
        msg.set(ADDRESS, MSG_IOV, iov);
        msg.set(JAVA_LONG, MSG_IOVLEN, 1);
        msg.set(ADDRESS, MSG_CONTROL, arena.allocate(CMSG_SPACE_INT, 8));
        msg.set(JAVA_LONG, MSG_CONTROLLEN, CMSG_SPACE_INT);
        return msg;
    }

    /** {@code dup2(from, to)}: {@code to} becomes a copy of {@code from} (and loses close-on-exec). */
    static void dup2(int from, int to) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check(state, (int) DUP2.invokeExact(state, from, to), "dup2");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ---- plain I/O on a descriptor ------------------------------------------------------------

    /**
     * {@code poll(2)} on {@code count} descriptors of {@code fds} for input (and the peer's close):
     * waits up to {@code timeoutMillis}, then leaves each one's events in {@code revents}
     * ({@link #READABLE}, {@link #PEER_CLOSED}, {@link #FAILED}). Returns how many have events.
     */
    public static int poll(int[] fds, int count, short[] revents, int timeoutMillis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfds = arena.allocate(8L * Math.max(1, count));
            for (int i = 0; i < count; i++) {
                pollfds.set(JAVA_INT, 8L * i, fds[i]);
                pollfds.set(JAVA_SHORT, 8L * i + 4, (short) (POLLIN | POLLRDHUP));
            }
            int ready = (int) POLL.invokeExact(state, pollfds, (long) count, timeoutMillis);
            if (ready < 0) {
                if (errno(state) == EINTR) {
                    ready = 0;
                } else {
                    throw failure("poll", errno(state));
                }
            }
            for (int i = 0; i < count; i++) {
                revents[i] = ready == 0 ? 0 : pollfds.get(JAVA_SHORT, 8L * i + 6);
            }
            return ready;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The bytes waiting on socket {@code fd}, up to {@code into.length}, copied without taking them
     * from it and without waiting: how many (0 when none are there yet, -1 at end of input with
     * none, or on an error such as a reset).
     */
    public static int peek(int fd, byte[] into) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(Math.max(1, into.length));
            long n = (long) RECV.invokeExact(state, fd, buf, (long) into.length, MSG_PEEK | MSG_DONTWAIT);
            if (n < 0) {
                return errno(state) == EAGAIN || errno(state) == EINTR ? 0 : -1;
            }
            if (n == 0) {
                return -1;
            }
            MemorySegment.copy(buf, JAVA_BYTE, 0, into, 0, (int) n);
            return (int) n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code SO_RCVLOWAT}: {@code poll} reports socket {@code fd} readable only once {@code bytes}
     * wait in it (an end, a reset or an error still at once); a blocking read waits for as many.
     * Errors are ignored: at worst a poll wakes early.
     */
    public static void receiveLowWater(int fd, int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment value = arena.allocateFrom(JAVA_INT, Math.max(1, bytes));
            int ignored = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVLOWAT, value, 4);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Reads and drops whatever waits on {@code fd} now, without waiting (a wake-up socket's bytes). */
    public static void discardWaiting(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(256);
            long n;
            do {
                n = (long) RECV.invokeExact(state, fd, buf, 256L, MSG_DONTWAIT);
            } while (n > 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Writes {@code b} to {@code fd} if it can without waiting (a short answer before a close); errors are ignored. */
    public static void writeIfRoom(int fd, byte[] b) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(Math.max(1, b.length));
            MemorySegment.copy(b, 0, buf, JAVA_BYTE, 0, b.length);
            long ignored = (long) SEND.invokeExact(state, fd, buf, (long) b.length, MSG_DONTWAIT | MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Whether the client of connection {@code fd} is gone, asked without waiting and without
     * consuming a byte: the connection was reset (or failed), or it ended without a byte left to
     * read. A client that sent bytes and then closed its side still counts as there: it may be
     * waiting for its answer (a TCP line client does exactly that).
     */
    public static boolean peerGone(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfd = arena.allocate(8);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            int ready = (int) POLL.invokeExact(state, pollfd, 1L, 0);
            if (ready <= 0) {
                return false; // nothing happened on it yet: a client still to speak
            }
            if ((pollfd.get(JAVA_SHORT, 6) & (POLLERR | POLLHUP)) != 0) {
                return true; // reset, or closed both ways
            }
            MemorySegment one = arena.allocate(1);
            long n = (long) RECV.invokeExact(state, fd, one, 1L, MSG_PEEK | MSG_DONTWAIT);
            return n == 0 || (n < 0 && errno(state) != EAGAIN && errno(state) != EINTR);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: for ever) for {@code fd} to be readable (or at end of
     * file, or shut down); false if the time ran out.
     */
    static boolean awaitReadable(int fd, int timeoutMillis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfd = arena.allocate(8);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            int ready;
            do {
                ready = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            } while (ready < 0 && errno(state) == EINTR);
            if (ready < 0) {
                throw failure("poll", errno(state));
            }
            return ready > 0;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code read(2)} into {@code b}: the bytes read, 0 at end of file. */
    static int read(int fd, byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(Math.max(1, len));
            long n;
            do {
                n = (long) READ.invokeExact(state, fd, buf, (long) len);
            } while (n < 0 && errno(state) == EINTR);
            if (n < 0) {
                throw failure("read", errno(state));
            }
            MemorySegment.copy(buf, JAVA_BYTE, 0, b, off, (int) n);
            return (int) n;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code write(2)} until all of {@code b[off, off + len)} is written. */
    static void write(int fd, byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(Math.max(1, len));
            MemorySegment.copy(b, off, buf, JAVA_BYTE, 0, len);
            long done = 0;
            while (done < len) {
                long n = (long) WRITE.invokeExact(state, fd, buf.asSlice(done), (long) len - done);
                if (n < 0 && errno(state) != EINTR) {
                    throw failure("write", errno(state));
                }
                done += Math.max(0, n);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code shutdown()}'s {@code how}. */
    static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    /** {@code shutdown(fd, SHUT_RDWR)}: wakes any thread blocked reading it; errors ignored. */
    static void shutdown(int fd) {
        shutdown(fd, SHUT_RDWR);
    }

    /** {@code shutdown(fd, how)}: {@link #SHUT_RD} wakes a thread blocked reading it with end of input; errors ignored. */
    static void shutdown(int fd, int how) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(CALL_STATE), fd, how);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code setsockopt(IPPROTO_TCP, TCP_NODELAY)}. */
    static void setTcpNoDelay(int fd, boolean on) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment value = arena.allocateFrom(JAVA_INT, on ? 1 : 0);
            check(state, (int) SETSOCKOPT.invokeExact(state, fd, 6, 1, value, 4), "setsockopt TCP_NODELAY");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code setsockopt(SOL_SOCKET, SO_LINGER)} with {@code struct linger {l_onoff, l_linger}}:
     * {@code seconds} 0 makes the close abortive (RST), -1 turns lingering off (an orderly close).
     */
    static void setLinger(int fd, int seconds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment linger = arena.allocate(JAVA_INT, 2);
            linger.setAtIndex(JAVA_INT, 0, seconds < 0 ? 0 : 1);
            linger.setAtIndex(JAVA_INT, 1, Math.max(0, seconds));
            check(state, (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, 13, linger, 8), "setsockopt SO_LINGER");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The peer of a connected TCP socket. */
    public static java.net.InetSocketAddress peer(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment sa = arena.allocate(128);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 128);
            check(state, (int) GETPEERNAME.invokeExact(state, fd, sa, len), "getpeername");
            int port = Short.toUnsignedInt(htons(Short.toUnsignedInt(sa.get(JAVA_SHORT, 2))));
            byte[] address = sa.get(JAVA_SHORT, 0) == AF_INET
                    ? sa.asSlice(4, 4).toArray(JAVA_BYTE)
                    : sa.asSlice(8, 16).toArray(JAVA_BYTE);
            return new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(address), port);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ---- a process-shared mutex ------------------------------------------------------------

    /** sizeof(pthread_mutex_t) on 64-bit Linux (glibc); offsetof(__owner), the holder's thread id. */
    static final long MUTEX_SIZE = 40, MUTEX_OWNER = 8;

    /** Initialises a robust, process-shared mutex in {@code mutex} (shared memory, zeroed). */
    static void mutexInit(MemorySegment mutex) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(OPAQUE);
            spawnCheck((int) MUTEXATTR_INIT.invokeExact(attr), "pthread_mutexattr_init");
            spawnCheck(
                    (int) MUTEXATTR_SETPSHARED.invokeExact(attr, 1),
                    "pthread_mutexattr_setpshared"); // PTHREAD_PROCESS_SHARED
            spawnCheck(
                    (int) MUTEXATTR_SETROBUST.invokeExact(attr, 1),
                    "pthread_mutexattr_setrobust"); // PTHREAD_MUTEX_ROBUST
            spawnCheck((int) MUTEX_INIT.invokeExact(mutex, attr), "pthread_mutex_init");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Locks the mutex (blocking). Returns true when its previous holder died holding it: the
     * kernel handed it over (EOWNERDEAD) and this call marked it consistent again.
     */
    static boolean mutexLock(MemorySegment mutex) throws IOException {
        try {
            int r = (int) MUTEX_LOCK.invokeExact(mutex);
            if (r == EOWNERDEAD) {
                spawnCheck((int) MUTEX_CONSISTENT.invokeExact(mutex), "pthread_mutex_consistent");
                return true;
            }
            spawnCheck(r, "pthread_mutex_lock");
            return false;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void mutexUnlock(MemorySegment mutex) throws IOException {
        try {
            spawnCheck((int) MUTEX_UNLOCK.invokeExact(mutex), "pthread_mutex_unlock");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ---- errors ------------------------------------------------------------------------------

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int check(MemorySegment state, int result, String what) throws IOException {
        if (result < 0) {
            throw failure(what, errno(state));
        }
        return result;
    }

    private static void spawnCheck(int error, String what) throws IOException {
        if (error != 0) {
            throw failure(what, error);
        }
    }

    private static IOException failure(String what, int errno) {
        return new IOException(what + ": " + strerror(errno) + " (errno " + errno + ")");
    }

    private static String strerror(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno))
                    .reinterpret(256)
                    .getString(0);
        } catch (Throwable t) {
            return "error";
        }
    }
}
