package org.echolab.service;

/** A request the service refuses, with the HTTP status and reason it is answered with. */
final class Refusal extends RuntimeException {

    final int status;
    final String reason;

    Refusal(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    static Refusal badRequest(String message) {
        return new Refusal(400, "Bad Request", message);
    }
}
