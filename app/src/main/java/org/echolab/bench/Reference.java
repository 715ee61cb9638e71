package org.echolab.bench;

/**
 * The C reference a run was measured against, as results.json records it: {@link Nginx} on the
 * same cells as the models ({@code measured}, and {@code note} says which nginx), or not, and then
 * {@code note} says why and how to install it. Null in results.json files from before the reference.
 */
public record Reference(String series, boolean measured, String note) {

    public static Reference of(Nginx.Found found) {
        return new Reference(Nginx.SERIES, found.nginx().isPresent(), found.note());
    }

    /** A run against a server the bench did not start ({@code --target}): no reference beside it. */
    public static Reference notMeasured(String why) {
        return new Reference(Nginx.SERIES, false, why);
    }
}
