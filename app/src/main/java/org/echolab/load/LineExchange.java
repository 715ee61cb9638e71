package org.echolab.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.echolab.protocol.Durations;

/**
 * Line-based TCP on one connection: sends {@code [wait=.. work=..] MESSAGE\n} (the directive only
 * when a wait or work is asked for; for {@code size=N} the message is padded to N bytes as
 * {@link org.echolab.protocol.Payload} would) and expects {@code MESSAGE\n} back, checked as it
 * arrives. Failure kinds: {@code wrong-body}, {@code err-line} (the server answered "ERR ..."),
 * {@code truncated}, {@code closed}.
 */
final class LineExchange implements Exchange {

    private static final byte[] ERR = "ERR ".getBytes(StandardCharsets.US_ASCII);

    private final Message message;
    private final byte[] directive;
    private final int size;

    private long offset;
    private boolean mismatch;
    private boolean errPrefix;
    private boolean sawBytes;
    private String failure;

    LineExchange(LoadSpec spec, Message message) {
        this.message = message;
        this.size = spec.size();
        StringBuilder d = new StringBuilder();
        if (spec.serverWait() != null) {
            d.append("wait=").append(Durations.format(spec.serverWait()));
        }
        if (spec.work() != null) {
            d.append(d.isEmpty() ? "" : " ").append("work=").append(spec.work());
        }
        directive = d.isEmpty() ? new byte[0] : ("[" + d + "] ").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int requestCapacity() {
        return directive.length + Math.max(size, message.maxTextLength()) + 1;
    }

    @Override
    public void encode(long seq, ByteBuffer out) {
        message.next(seq);
        out.clear();
        out.put(directive);
        message.putBody(out);
        out.put((byte) '\n');
        out.flip();
        offset = 0;
        mismatch = false;
        errPrefix = true;
        sawBytes = false;
        failure = null;
    }

    @Override
    public boolean read(ByteBuffer in) {
        byte[] a = in.array();
        int pos = in.position();
        int limit = in.limit();
        if (pos == limit) {
            return false;
        }
        sawBytes = true;
        int eol = HttpResponseReader.indexOf(a, pos, limit, (byte) '\n');
        int end = eol < 0 ? limit : eol;
        for (int i = pos; i < end && offset + (i - pos) < ERR.length; i++) {
            errPrefix &= a[i] == ERR[(int) (offset + i - pos)];
        }
        if (!mismatch && !message.matches(offset, a, pos, end - pos)) {
            mismatch = true;
        }
        offset += end - pos;
        if (eol < 0) {
            in.position(limit);
            return false;
        }
        in.position(eol + 1);
        if (mismatch || offset != message.bodyLength()) {
            failure = errPrefix && offset >= ERR.length ? "err-line" : "wrong-body";
        }
        return true;
    }

    @Override
    public void eof() {
        failure = sawBytes ? "truncated" : "closed";
    }

    @Override
    public String failure() {
        return failure;
    }
    /** A wrong line closes the connection: after an ERR line the server may be closing it. */
    @Override
    public boolean closeAfter() {
        return failure != null;
    }

    @Override
    public long requestNumber() {
        return -1;
    }

    @Override
    public String worker() {
        return null;
    }
}
