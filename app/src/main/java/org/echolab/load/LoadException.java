package org.echolab.load;

/**
 * The load could not start: an unknown host, a refused connection, a target that does not
 * answer. The message is for users: one line that says what went wrong and what to check.
 */
public final class LoadException extends Exception {

    public LoadException(String message) {
        super(message);
    }

    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
