package org.echolab.models.tree;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.echolab.os.SharedMutex;

/**
 * A lock that prefork workers take around {@code accept}, so that one worker at a time waits in
 * {@code accept} and the others wait for the lock (UNP ch. 30.7 and 30.8, rows 3 and 4 of Figure
 * 30.1). UNP added it because some kernels woke every child blocked in {@code accept} for each
 * connection (the thundering herd) and some could not let several processes accept at all.
 *
 * <ul>
 *   <li>{@link Kind#FILE}: a {@code fcntl} record lock on a file ({@link FileChannel#lock()} is
 *       {@code F_SETLKW} underneath), UNP's {@code my_lock_wait}. Portable, and the kernel drops it
 *       when its holder dies; each take is a system call on a file.
 *   <li>{@link Kind#MUTEX}: a process-shared, robust {@code pthread_mutex_t} in shared memory
 *       ({@link SharedMutex}), UNP's thread-lock version. Taking a free mutex is one atomic
 *       instruction in user space, no system call; if its holder dies, the next taker gets it
 *       with EOWNERDEAD and repairs it.
 * </ul>
 *
 * <p>The parent {@link #create}s the lock in a file in {@code /dev/shm} and names it to each
 * worker in the system property {@value #PROPERTY}; a worker wraps its inherited listening socket
 * with {@link #around}. <b>Threads:</b> in a worker only its accept thread takes the lock, and it
 * releases it on the same thread (a pthread mutex has an owner).
 */
public abstract class AcceptLock implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AcceptLock.class.getName());

    /** The system property that names the lock to a worker: {@code kind:path}. */
    public static final String PROPERTY = "echolab.acceptLock";

    public enum Kind {
        FILE,
        MUTEX
    }

    private final Kind kind;
    private final Path file;
    private final boolean owner;

    private AcceptLock(Kind kind, Path file, boolean owner) {
        this.kind = kind;
        this.file = file;
        this.owner = owner;
    }

    /** The parent's side: a new lock in a file of its own. */
    public static AcceptLock create(Kind kind) throws IOException {
        Path dir = Path.of("/dev/shm");
        Path file = Files.createTempFile(
                Files.isDirectory(dir) ? dir : Path.of(System.getProperty("java.io.tmpdir")),
                "echolab-accept-lock-" + ProcessHandle.current().pid() + "-",
                ".bin");
        try {
            return kind == Kind.FILE
                    ? new OnFile(file, true)
                    : new InSharedMemory(file, SharedMutex.create(file), true);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** A worker's side: the lock its parent named, or null when there is none. */
    public static AcceptLock fromProperty() throws IOException {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return null;
        }
        int colon = value.indexOf(':');
        Kind kind = Kind.valueOf(value.substring(0, colon));
        Path file = Path.of(value.substring(colon + 1));
        return kind == Kind.FILE ? new OnFile(file, false) : new InSharedMemory(file, SharedMutex.open(file), false);
    }

    /** The value of {@link #PROPERTY} for a worker. */
    public String property() {
        return kind + ":" + file;
    }

    public Kind kind() {
        return kind;
    }

    public Path file() {
        return file;
    }

    /** Blocks until this process holds the lock. */
    protected abstract void lock() throws IOException;

    protected abstract void unlock() throws IOException;

    /** {@code listener}, whose {@code accept} runs with this lock held. */
    public ServerSocket around(ServerSocket listener) throws IOException {
        return new Locked(listener);
    }

    /** The parent deletes the file (workers keep what they opened); a worker does nothing. */
    @Override
    public void close() {
        if (owner) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // /dev/shm is cleared at reboot anyway
            }
        }
    }

    /** The worker's listening socket with the lock around each accept; everything else as is. */
    private final class Locked extends ServerSocket {
        private final ServerSocket listener;

        Locked(ServerSocket listener) throws IOException {
            this.listener = listener;
        }

        @Override
        public Socket accept() throws IOException {
            lock(); // the other workers wait here, not in accept
            try {
                return listener.accept();
            } finally {
                unlock(); // before the session: the lock guards the accept only
            }
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return listener.getLocalSocketAddress();
        }

        @Override
        public boolean isClosed() {
            return listener.isClosed();
        }

        @Override
        public void close() throws IOException {
            listener.close(); // wakes the holder's accept; it releases, and each waiter
            super.close(); // then takes the lock and finds the socket closed
        }
    }

    /** UNP's {@code my_lock_wait} with {@code fcntl}: a record lock the kernel drops when its holder dies. */
    private static final class OnFile extends AcceptLock {
        private final FileChannel channel;
        private FileLock held; // accept thread only

        OnFile(Path file, boolean owner) throws IOException {
            super(Kind.FILE, file, owner);
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        @Override
        protected void lock() throws IOException {
            held = channel.lock(); // fcntl(F_SETLKW) on the whole file: blocks while another worker holds it
        }

        @Override
        protected void unlock() throws IOException {
            held.release();
        }
    }

    /** UNP's thread-lock version: a robust process-shared pthread mutex in the mapped file. */
    private static final class InSharedMemory extends AcceptLock {
        private final SharedMutex mutex;

        InSharedMemory(Path file, SharedMutex mutex, boolean owner) {
            super(Kind.MUTEX, file, owner);
            this.mutex = mutex;
        }

        @Override
        protected void lock() throws IOException {
            if (mutex.lock()) {
                LOG.log(Level.WARNING, "the accept lock's previous holder died holding it; taken over and repaired");
            }
        }

        @Override
        protected void unlock() throws IOException {
            mutex.unlock();
        }
    }
}
