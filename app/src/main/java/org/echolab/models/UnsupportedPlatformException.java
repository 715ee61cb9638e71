package org.echolab.models;

/** Thrown by {@link ConcurrencyModel#start} when this OS or JVM cannot run the model; says why. */
public final class UnsupportedPlatformException extends RuntimeException {
    public UnsupportedPlatformException(String message) {
        super(message);
    }

    /** Throws, with the reason, when there is one (e.g. {@code Libc.unsupportedReason()}). */
    public static void throwIf(java.util.Optional<String> reason) {
        if (reason.isPresent()) {
            throw new UnsupportedPlatformException(reason.get());
        }
    }
}
