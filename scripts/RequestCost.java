import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.echolab.config.ServerConfig;
import org.echolab.connection.Conversation;
import org.echolab.process.Readiness;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.state.AtomicState;

/**
 * What EchoLab's own code costs per request, without a socket: one connection's
 * {@link Conversation} is handed the request wrk sends, over and over, and answers it (parse,
 * route, ledger, answer bytes) on the calling thread, with nothing read or written. What a server
 * adds to this is the kernel's (read, write, epoll) and its model's (the loop, the threads).
 * Prints the nanoseconds per request of each round, the median and spread of the second half of
 * the rounds (the first half warms the JIT up) and the bytes allocated per request.
 * Run it as the servers run, on one core: {@code taskset -c 0 java -XX:+UseSerialGC -Xmn16m ...}.
 *
 * <pre>
 *   java -cp app/target/echolab.jar scripts/RequestCost.java [--rounds N=10] [--requests N=1000000] [--target /echo?msg=hello]
 * </pre>
 * Exit codes: 0 measured, 1 a wrong answer, 2 bad usage.
 */
public class RequestCost {

    private static final String USAGE =
            "usage: java -cp app/target/echolab.jar scripts/RequestCost.java [--rounds N] [--requests N] [--target PATH]";

    private static volatile long sink; // the answers' lengths, so that no answer is optimized away

    public static void main(String[] args) {
        int rounds = 10;
        int requests = 1_000_000;
        String target = "/echo?msg=hello";
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--rounds" -> rounds = atLeast(value, 2, "--rounds");
                case "--requests" -> requests = atLeast(value, 1000, "--requests");
                case "--target" -> target = value.startsWith("/") ? value : usage("--target '" + value + "': a path from /, e.g. /echo?msg=hello");
                default -> usage("'" + args[i] + "' is not an option");
            }
            i++;
        }
        byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ServerConfig config = ServerConfig.builder().model("eventloop").port(0).build();
        Resources process = Resources.of(config, new AtomicState(), Map::of, new Readiness(), null);
        Conversation conversation =
                new Conversation(config, new EchoService(config, process), process, "127.0.0.1", 40000);
        ByteBuffer in = ByteBuffer.allocate(Conversation.readBufferSize(config.limits));

        String answer = new String(answer(conversation, in, request), StandardCharsets.ISO_8859_1);
        System.out.println("request: " + new String(request, StandardCharsets.ISO_8859_1).lines().findFirst().orElseThrow()
                + ", answered with " + answer.length() + " bytes: " + answer.lines().findFirst().orElseThrow());

        double[] perRequest = new double[rounds]; // ns
        for (int r = 0; r < rounds; r++) {
            long began = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                sink += answer(conversation, in, request).length;
            }
            perRequest[r] = (double) (System.nanoTime() - began) / requests;
            System.out.printf("round %d: %.0f ns/request%n", r + 1, perRequest[r]);
        }
        String last = new String(answer(conversation, in, request), StandardCharsets.ISO_8859_1);
        if (!varying(last).equals(varying(answer))) {
            System.err.println("RequestCost: the last answer differs from the first:\n" + last);
            System.exit(1);
        }
        double[] warm = Arrays.copyOfRange(perRequest, rounds / 2, rounds);
        Arrays.sort(warm);
        System.out.printf("ns per request, rounds %d-%d (the first half warms up): median %.0f, min %.0f, max %.0f%n",
                rounds / 2 + 1, rounds, warm[warm.length / 2], warm[0], warm[warm.length - 1]);

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        int counted = Math.min(requests, 100_000);
        for (int i = 0; i < counted; i++) {
            sink += answer(conversation, in, request).length;
        }
        System.out.printf("bytes allocated per request: %.0f%n",
                (double) (threads.getCurrentThreadAllocatedBytes() - before) / counted);
    }

    /** One request through the conversation: its answer's bytes, after which it waits for the next. */
    private static byte[] answer(Conversation conversation, ByteBuffer in, byte[] request) {
        in.clear().put(request).flip();
        if (!(conversation.next(in, false) instanceof Conversation.Answer a)) {
            System.err.println("RequestCost: the request was not answered: " + new String(request, StandardCharsets.ISO_8859_1));
            System.exit(1);
            return null;
        }
        byte[] bytes = a.reply().bytes();
        conversation.replied(true);
        if (!(conversation.next(in, false) instanceof Conversation.Read)) {
            System.err.println("RequestCost: after the answer, the conversation did not wait for the next request");
            System.exit(1);
        }
        return bytes;
    }

    /** An answer without the lines that differ from request to request: its number and its Date. */
    private static String varying(String answer) {
        return answer.replaceAll("(?m)^(X-Echo-Request|Date): .*$", "$1: -");
    }

    private static int atLeast(String text, int least, String what) {
        try {
            int n = Integer.parseInt(text);
            if (n >= least) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        return usage(what + " '" + text + "': a whole number from " + least + " up, please");
    }

    private static <T> T usage(String why) {
        System.err.println("RequestCost: " + why);
        System.err.println(USAGE);
        System.exit(2);
        return null;
    }
}
