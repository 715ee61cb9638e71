package org.echolab.testing;

import java.util.Set;
import java.util.stream.Stream;
import org.echolab.models.Models;

/**
 * Which models a case of the suites runs on. A case about how connections are handed out (accept,
 * overlap, drain) runs on {@link #everyModel()}; a case about what one connection gets (the
 * protocol, timeouts, budgets, TLS, WebSocket) runs on one model of each family, {@link #families()}:
 * a family's variants serve a connection with the same code and differ only in how they accept,
 * which their own tests check (AcceptSerialisationTest, DescriptorPassingTest, PreforkModelTest).
 */
public final class ModelSets {

    /** UNP's other accept disciplines for prefork and prethread (rows 3, 4, 5 and 7). */
    static final Set<String> VARIANTS = Set.of("prefork-flock", "prefork-mutex", "prefork-pass", "prethread-mutex");

    private ModelSets() {}

    /** Every registered model. */
    public static Stream<String> everyModel() {
        return Models.names().stream();
    }

    /** One model of each family: every model but the variants. */
    public static Stream<String> families() {
        return Models.names().stream().filter(m -> !VARIANTS.contains(m));
    }
}
