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

    /**
     * Only the models named in the system property {@value #CHOSEN}, comma-separated, if it is set:
     * {@code ./mvnw -pl app test -Dtest=ModelSuiteTest -Decholab.models=netty} runs a suite for one model.
     */
    static final String CHOSEN = "echolab.models";

    /** Every registered model. */
    public static Stream<String> everyModel() {
        return Models.names().stream().filter(ModelSets::chosen);
    }

    /** One model of each family: every model but the variants. */
    public static Stream<String> families() {
        return everyModel().filter(m -> !VARIANTS.contains(m));
    }

    private static boolean chosen(String model) {
        String chosen = System.getProperty(CHOSEN, "");
        return chosen.isBlank() || Set.of(chosen.split(",")).contains(model);
    }
}
