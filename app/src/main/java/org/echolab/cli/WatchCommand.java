package org.echolab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Console;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.echolab.monitor.TextView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code echolab watch URL}: the live view of a running server, in the terminal, each frame cut
 * to the terminal's size (read again for every frame, so a resized window is filled).
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Watch a running server: clients queued in the kernel, what each worker is doing, a timeline.",
            "URL is the monitor's, from the server's startup line (live: http://...), e.g. http://127.0.0.1:8081"
                    + " or 127.0.0.1:8081"
        })
final class WatchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(
            paramLabel = "URL",
            description = "The server's monitor: http://HOST:PORT, or HOST:PORT (its /live works too).")
    String target;

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "500ms",
            description = "Time between frames, at least 50ms. Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Option(names = "--once", description = "Print one frame and exit.")
    boolean once;

    @Option(
            names = "--width",
            paramLabel = "N",
            description = "Columns of the timeline, 10 to 1000. Default: as many as the terminal's width leaves.")
    Integer width;

    @Override
    public Integer call() throws InterruptedException {
        URI url = monitorUrl(target);
        if (url == null) {
            System.err.println("echolab watch: '" + target + "' is not a monitor's address; give HOST:PORT or the"
                    + " http:// URL from the server's startup line (live: ...), e.g. 127.0.0.1:8081");
            return ExitCode.USAGE.code;
        }
        if (width != null && (width < 10 || width > 1000)) {
            System.err.println("echolab watch: --width must be between 10 and 1000 columns (got " + width + ")");
            return ExitCode.USAGE.code;
        }
        if (interval.compareTo(Duration.ofMillis(50)) < 0) {
            System.err.println("echolab watch: --interval must be at least 50ms (got " + interval.toMillis() + "ms)");
            return ExitCode.USAGE.code;
        }
        URI frames = url.resolve("/live.json");
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal() && !once;
        while (true) {
            String frame;
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(frames)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    System.err.println(
                            "echolab watch: " + frames + " answered " + r.statusCode() + "; is this a monitor's URL?");
                    return ExitCode.FAILED.code;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = JSON.readValue(r.body(), Map.class);
                TerminalSize size = TerminalSize.now();
                frame = TextView.render(parsed, size.columns(), size.lines(), width == null ? 0 : width);
            } catch (IOException e) {
                System.err.println("echolab watch: no answer from " + frames + " (" + why(e)
                        + "); is the server running, and is this its monitor's port (the startup line's live: URL)?");
                return ExitCode.FAILED.code;
            }
            // in a terminal, no newline after the last line: one would scroll the header away
            System.out.print(terminal ? "\033[H\033[2J" + frame : frame + "\n");
            System.out.flush();
            if (once) {
                return ExitCode.OK.code;
            }
            Thread.sleep(interval);
        }
    }

    /** Why a monitor did not answer, in words: the JDK's client often gives a ConnectException without a message. */
    private static String why(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** {@code http://HOST:PORT[/...]}, or {@code HOST:PORT[/...]} meaning the same; null for anything else. */
    static URI monitorUrl(String text) {
        String t = text.strip();
        boolean schemeGiven = t.contains("://");
        URI u;
        try {
            u = new URI(schemeGiven ? t : "http://" + t);
        } catch (URISyntaxException e) {
            return null;
        }
        boolean http = "http".equalsIgnoreCase(u.getScheme()) && u.getHost() != null;
        return http && (schemeGiven || u.getPort() > 0) ? u : null; // without a scheme, the port must be said
    }
}
