package org.echolab.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * Opens a page in Debian's headless Chromium and returns the DOM it built and every message the
 * page wrote to its console (script errors). The network is cut off by a proxy that does not
 * exist, so the page is seen as it would be offline.
 */
public final class HeadlessChromium {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /** What the browser made of a page. */
    public record Page(Document dom, List<String> console) {}

    private HeadlessChromium() {}

    /** Skips the test where Debian's chromium is missing; fails it under CI=true ({@link org.echolab.testing.Tools#require}). */
    public static void require() {
        org.echolab.testing.Tools.require(CHROMIUM, "apt-get install chromium");
    }

    /**
     * Every reference the page makes to something outside itself: src and href attributes (in
     * SVG too) that are not a fragment of the page or inline data. Headless Chromium does not log
     * a failed image or style fetch, so this is read from the DOM.
     */
    public static List<String> externalReferences(Document dom) {
        return dom.getAllElements().stream()
                .flatMap(e -> e.attributes().asList().stream())
                .filter(a -> a.getKey().equals("src")
                        || a.getKey().equals("href")
                        || a.getKey().endsWith(":href"))
                .map(org.jsoup.nodes.Attribute::getValue)
                .filter(v -> !v.startsWith("#") && !v.startsWith("data:"))
                .toList();
    }

    static Page open(Path html) throws IOException, InterruptedException {
        return open(html, 1280);
    }

    /** The page in a window {@code width} pixels wide (the layout depends on it). */
    static Page open(Path html, int width) throws IOException, InterruptedException {
        return open(html.toUri(), width);
    }

    /**
     * A page from a server (the loopback interface is never proxied), as it stands after
     * {@code liveFor} of the page's own time: its timers run and its fetches are answered meanwhile.
     */
    public static Page open(URI url, int width, Duration liveFor) throws IOException, InterruptedException {
        return open(url, width, "--virtual-time-budget=" + liveFor.toMillis());
    }

    private static Page open(URI url, int width, String... more) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("echolab-chromium-");
        try {
            Path dom = profile.resolve("dom.html");
            Path log = profile.resolve("stderr.log");
            List<String> what = new ArrayList<>(List.of(
                    "--enable-logging=stderr",
                    "--v=0", // console messages go to stderr as INFO:CONSOLE lines
                    "--window-size=" + width + ",1000",
                    "--dump-dom"));
            what.addAll(List.of(more));
            chromium(profile, url, dom, log, what.toArray(String[]::new));
            List<String> console = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains(":CONSOLE"))
                    .toList();
            return new Page(Jsoup.parse(Files.readString(dom), url.toString()), console);
        } finally {
            deleteTree(profile);
        }
    }

    /** Saves the page as a browser window {@code width} x {@code height} pixels shows it, for a person to look at. */
    static void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        screenshot(html.toUri(), png, width, height);
    }

    /** A screenshot of a page, taken when its timers have had {@code liveFor} to run; see {@link #open(URI, int, Duration)}. */
    public static void screenshot(URI url, Path png, int width, int height, Duration liveFor)
            throws IOException, InterruptedException {
        screenshot(url, png, width, height, "--virtual-time-budget=" + liveFor.toMillis());
    }

    private static void screenshot(URI html, Path png, int width, int height, String... more)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("echolab-chromium-");
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            List<String> what = new ArrayList<>(List.of(
                    "--hide-scrollbars",
                    "--window-size=" + width + "," + height,
                    "--screenshot=" + png.toAbsolutePath()));
            what.addAll(List.of(more));
            chromium(
                    profile,
                    html,
                    profile.resolve("stdout.log"),
                    profile.resolve("stderr.log"),
                    what.toArray(String[]::new));
            if (!Files.isRegularFile(png)) {
                throw new IOException("chromium wrote no screenshot of " + html + "; it said:\n"
                        + Files.readString(profile.resolve("stderr.log")));
            }
        } finally {
            deleteTree(profile);
        }
    }

    /** The browser's profile and logs: nothing of a run is left in /tmp. */
    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void chromium(Path profile, URI html, Path stdout, Path stderr, String... what)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile.resolve("profile"),
                "--proxy-server=127.0.0.1:9")); // offline: any fetch from outside fails and is logged
        command.addAll(List.of(what));
        command.add(html.toString());
        Process p = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        List<ProcessHandle> helpers = p.descendants().toList(); // none should outlive the browser
        helpers.forEach(ProcessHandle::destroyForcibly);
        if (!finished) {
            p.destroyForcibly().waitFor();
            throw new IOException("chromium did not finish loading " + html + " within 120 s");
        }
        for (ProcessHandle h : helpers) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("chromium's helper " + h.pid() + " did not end", e);
            }
        }
    }
}
