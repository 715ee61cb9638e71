package org.echolab.models;

/** Thrown by {@link ConcurrencyModel#start} when this OS or JVM cannot run the model; says why. */
public final class UnsupportedPlatformException extends RuntimeException {
    public UnsupportedPlatformException(String message) {
        super(message);
    }
}
