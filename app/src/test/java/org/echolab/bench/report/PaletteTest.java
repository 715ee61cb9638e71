package org.echolab.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.models.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every model in the registry is drawn in a colour of its own: none falls back to the unknown grey. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PaletteTest {

    @Test
    void everyRegisteredModelHasAColourNoOtherModelHas() {
        List<String> models = Models.names();
        assertThat(models).allSatisfy(m -> assertThat(Palette.of(m)).as(m).isNotEqualTo(Palette.UNKNOWN));
        assertThat(models.stream().map(m -> Palette.of(m).rgb()).distinct().count())
                .as("distinct colours")
                .isEqualTo(models.size());
    }
}
