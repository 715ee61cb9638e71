package org.echolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Durations and sizes need their unit (only 0 stands alone); a route's query names what it does not take. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UnitsTest {

    @Test
    void aDurationWithoutItsUnitIsRefusedNamingTheUnits() {
        for (String bare : new String[] {"5", "2", "1.5", " 250 "}) {
            assertThatThrownBy(() -> Durations.parse(bare))
                    .as(bare)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has no unit")
                    .hasMessageContaining(bare.strip() + "ms or " + bare.strip() + "s")
                    .hasMessageContaining("ns, us, ms, s, m");
        }
        for (String zero : new String[] {"0", "0.0", "00", "0ms", "0s"}) {
            assertThat(Durations.parse(zero)).as(zero).isZero();
        }
        assertThat(Durations.parse("5ms")).isEqualTo(Duration.ofMillis(5));
        assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        for (String bad : new String[] {".", "5 s", "5S", "s5"}) {
            assertThatThrownBy(() -> Durations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration");
        }
    }

    @Test
    void sizesTakeBinaryAndDecimalUnitsAndRefuseABareNumber() {
        assertThat(Sizes.parse("0")).isZero();
        assertThat(Sizes.parse("512B")).isEqualTo(512);
        assertThat(Sizes.parse("64KiB")).isEqualTo(64 * 1024);
        assertThat(Sizes.parse("2m")).as("nginx's 2m").isEqualTo(2 << 20);
        assertThat(Sizes.parse("2MiB")).isEqualTo(2 << 20);
        assertThat(Sizes.parse("1g")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("3kB")).isEqualTo(3000);
        assertThat(Sizes.parse("2MB")).isEqualTo(2_000_000);
        assertThatThrownBy(() -> Sizes.parse("1048576"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1048576' has no unit; write 1048576B, or e.g. 1MiB")
                .hasMessageContaining("KiB, MiB");
        for (String bad : new String[] {"", "-1B", "2x", "MiB", "1.5MiB", "99999999999999GiB"}) {
            assertThatThrownBy(() -> Sizes.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Sizes.parse("65MiB", 64 << 20)).hasMessage("'65MiB' is above the limit of 64MiB");
        for (long n : new long[] {0, 1, 1000, 1024, 65536, 3 << 20, 5L << 30}) {
            assertThat(Sizes.parse(Sizes.format(n))).as("round trip of %d", n).isEqualTo(n);
        }
    }

    @Test
    void aRouteQueryRefusesAnUnknownOrRepeatedParameterByName() {
        List<String> known = List.of("msg", "wait", "work", "fail");
        assertThat(Query.parse("msg=a&wait=1s", known, false))
                .containsEntry("msg", "a")
                .containsEntry("wait", "1s");
        assertThatThrownBy(() -> Query.parse("msg=a&wiat=2s", known, false))
                .hasMessage("unknown parameter 'wiat'; did you mean 'wait'? this route takes msg, wait, work, fail");
        assertThatThrownBy(() -> Query.parse("colour=red", known, false))
                .hasMessage("unknown parameter 'colour'; this route takes msg, wait, work, fail");
        assertThatThrownBy(() -> Query.parse("wait=1s&wait=2s", known, false))
                .hasMessage("parameter 'wait' is given twice ('1s' and '2s'); give it once");
        assertThatThrownBy(() -> Query.parse("msg=a&msg=b", known, true))
                .as("repeated, even where other names are allowed")
                .hasMessageContaining("'msg' is given twice");
        assertThat(Query.parse("msg=a&x=1&x=2", known, true)).containsEntry("x", "1");
    }
}
