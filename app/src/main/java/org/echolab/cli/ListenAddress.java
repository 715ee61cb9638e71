package org.echolab.cli;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Checks {@code --bind} before the server tries it, so that a name that does not resolve and an
 * address of another machine each get a message of their own, not the socket's "null" or
 * "Cannot assign requested address" with advice about the port.
 */
final class ListenAddress {

    private ListenAddress() {}

    /**
     * The address {@code bind} names.
     *
     * @throws IllegalArgumentException when it does not resolve, saying what to give instead
     */
    static InetAddress resolve(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + bind + ": no such host (the name does not resolve); give an"
                    + " address of this machine, e.g. 127.0.0.1, or 0.0.0.0 for every interface");
        }
    }

    /** Why the server cannot listen on {@code address}, which {@code --bind} gave; null when it can try. */
    static String notHere(String bind, InetAddress address) {
        try {
            if (address.isAnyLocalAddress()
                    || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null) {
                return null;
            }
        } catch (SocketException e) {
            return null; // cannot tell: let the bind itself say
        }
        return "--bind " + bind + ": " + address.getHostAddress() + " is not an address of this machine; give one that"
                + " 'ip -brief address' lists, 127.0.0.1, or 0.0.0.0 for every interface";
    }
}
