package org.echolab.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@code pthread_mutex_t} in a file mapped MAP_SHARED by several processes: UNP's
 * {@code my_lock_init} of ch. 30.8 ("a thread lock around accept, between processes"), with the
 * attributes PTHREAD_PROCESS_SHARED (it may live in shared memory) and PTHREAD_MUTEX_ROBUST
 * (when its holder dies, the next {@link #lock} gets it with EOWNERDEAD instead of waiting forever).
 *
 * <p><b>Threads:</b> the thread that locked it must unlock it (a pthread mutex has an owner). A
 * blocked {@link #lock} cannot be interrupted: call it on a platform thread that may wait.
 */
public final class SharedMutex {

    private final MemorySegment mutex;

    private SharedMutex(MemorySegment mutex) {
        this.mutex = mutex;
    }

    /** The creator's side: sizes {@code file} and initialises a mutex in it, before any other process maps it. */
    public static SharedMutex create(Path file) throws IOException {
        SharedMutex m = map(file);
        Libc.mutexInit(m.mutex);
        return m;
    }

    /** Another process's side: maps the mutex {@link #create} made in {@code file}. */
    public static SharedMutex open(Path file) throws IOException {
        return map(file);
    }

    private static SharedMutex map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new SharedMutex(ch.map(FileChannel.MapMode.READ_WRITE, 0, Libc.MUTEX_SIZE, Arena.ofAuto()));
        }
    }

    /** Blocks until this thread holds the mutex; true if the previous holder had died holding it. */
    public boolean lock() throws IOException {
        return Libc.mutexLock(mutex);
    }

    public void unlock() throws IOException {
        Libc.mutexUnlock(mutex);
    }

    /** The thread id (as in /proc/PID/task/TID) of the holder, 0 when free: glibc's {@code __owner}. */
    public int owner() {
        return mutex.get(ValueLayout.JAVA_INT, Libc.MUTEX_OWNER);
    }
}
