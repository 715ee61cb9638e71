package org.echolab.models.tree;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.echolab.process.Activity;
import org.echolab.process.Readiness;
import org.echolab.process.Resources;
import org.echolab.state.ServerState;

/**
 * A child's one channel to its process tree, on the {@link TreeBoard} its parent named: what the
 * parent learns of this process (that it has started, its connections, its requests) goes out
 * through here, and what it learns of the parent (whether it is still ready) comes back. Each
 * figure is counted once: connections by the state's open and close, requests by the copy of
 * this process's {@link Activity} into {@link TreeRequests}, which both the live view's records
 * and {@code /stats}' served and in-flight figures are read from. Thread-safe.
 */
public final class TreeChild {

    private final TreeBoard board;

    private TreeChild(TreeBoard board) {
        this.board = board;
    }

    /** The tree this process was started into ({@code -Decholab.tree.file}), or null if none. */
    public static TreeChild join() {
        TreeBoard board = TreeBoard.fromProperty();
        return board == null ? null : new TreeChild(board);
    }

    /** Tells the parent this JVM is up: a {@code process} parent may start the next child. */
    public void started() {
        board.childStarted();
    }

    /** {@code state}, unchanged, whose connections also count in the tree's. */
    public ServerState counting(ServerState state) {
        return board.countingConnections(state);
    }

    /** The parent that started this child, as it wrote itself on the board. */
    public long parentPid() {
        return board.parentPid();
    }

    /** What this child's {@code /health/ready} says: ready while the parent is. */
    public Readiness readiness() {
        return Readiness.following(board::parentReady);
    }

    /**
     * From now on every request of {@code child}, and every close, is copied to the tree; {@code onFirstRequest}
     * runs when the first one is answered (a {@code process} child drains only after that).
     */
    public void report(Resources child, Runnable onFirstRequest) {
        child.ledger().activity().copyTo(new FirstRequest(board.requests().writer(), onFirstRequest));
        child.ledger().closes().copyTo(board::closed);
    }

    /** The tree as this child sees it, for its {@code /stats} ({@code role}: child, spare or worker). */
    public Map<String, Object> figures(String role) {
        return board.figures(role);
    }

    /** A copy that runs an action once, when the first request begins. */
    private record FirstRequest(Activity.Copy copy, Runnable action, AtomicBoolean done) implements Activity.Copy {
        FirstRequest(Activity.Copy copy, Runnable action) {
            this(copy, action, new AtomicBoolean());
        }

        @Override
        public long began(long beganNanos, long requestNumber, String what, int status, long waitMillis) {
            long handle = copy.began(beganNanos, requestNumber, what, status, waitMillis);
            if (!done.get() && done.compareAndSet(false, true)) {
                action.run();
            }
            return handle;
        }

        @Override
        public void ended(long handle, long endedNanos, int status, long latencyNanos) {
            copy.ended(handle, endedNanos, status, latencyNanos);
        }
    }
}
