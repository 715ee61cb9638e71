package org.echolab.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Only the server's own close of a request it had not begun to answer is unanswered; every close counts by cause. */
@Timeout(10)
class ClosesTest {

    @Test
    void aRequestHeldIsUnansweredOnlyWhenTheServerClosed() {
        Closes closes = new Closes();
        for (Closes.Cause cause : Closes.Cause.values()) {
            assertThat(closes.closed(cause, true)).as(cause.label).isEqualTo(cause.byServer);
            assertThat(closes.closed(cause, false))
                    .as(cause.label + ", nothing held")
                    .isFalse();
        }
        assertThat(closes.unanswered())
                .as("forced, timeout, drained, answered, refused, tls-failed, server-error")
                .isEqualTo(7);
        assertThat(closes.figures()).containsEntry("forced", 2L).containsEntry("client-closed", 2L);
        assertThat(closes.figures().values()).allMatch(n -> n == 2L);
    }

    @Test
    void aClientsGoingIsNeverTheServersUnanswered() {
        assertThat(Closes.Cause.CLIENT_CLOSED.byServer).isFalse();
        assertThat(Closes.Cause.CLIENT_RESET.byServer).isFalse();
        assertThat(Closes.Cause.IO_ERROR.byServer)
                .as("a broken pipe: the client went")
                .isFalse();
        assertThat(Closes.Cause.FORCED.byServer).isTrue();
    }

    @Test
    void aChildCopiesEachCloseToItsTree() {
        Closes closes = new Closes();
        List<String> copied = new ArrayList<>();
        closes.copyTo((cause, unanswered) -> copied.add(cause.label + (unanswered ? " unanswered" : "")));
        closes.closed(Closes.Cause.CLIENT_CLOSED, true);
        closes.closed(Closes.Cause.FORCED, true);
        closes.closed(Closes.Cause.TIMEOUT, false);
        assertThat(copied).containsExactly("client-closed", "forced unanswered", "timeout");
    }
}
