package org.echolab.race;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.echolab.config.ServerConfig;
import org.echolab.load.LoadException;
import org.echolab.load.LoadGenerator;
import org.echolab.load.LoadResult;
import org.echolab.load.LoadSpec;
import org.echolab.models.Models;
import org.echolab.server.EchoServer;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * The race lab's experiment, end to end: start a real server with one model and one state
 * variant on a free port, send it {@code requests} requests from {@code clients} concurrent
 * clients over real sockets, stop it (so every count is final), and compare what its state
 * counted with what the clients saw. {@code echolab race} prints one {@link RaceRow} per pair.
 */
public final class RaceLab {

    /** The experiment's settings; {@code window} is the pause broken variants take (--race-window). */
    public record Settings(long requests, int clients, Duration window, boolean connectPerRequest) {}

    private RaceLab() {}

    /**
     * Runs one pair.
     *
     * @throws IOException if the server cannot start
     * @throws LoadException if the load generator cannot reach it
     * @throws IllegalArgumentException for an unknown model or state
     */
    public static RaceRow run(String model, States.Variant state, Settings settings)
            throws IOException, LoadException, InterruptedException {
        ServerConfig config = ServerConfig.builder()
                .model(model)
                .state(state.name())
                .raceWindow(settings.window())
                .port(0)
                .grace(Duration.ofSeconds(5))
                .threads(Math.max(settings.clients(), 8))
                .maxChildren(Math.max(settings.clients(), 8))
                .maxPerClient(0) // every client of the race comes from 127.0.0.1
                .build();
        EchoServer server = EchoServer.start(config);
        LoadSpec spec = LoadSpec.builder(URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                .connections(settings.clients())
                .connectPerRequest(settings.connectPerRequest())
                .requests(settings.requests())
                .collectRequestNumbers(true)
                .build();
        LoadResult load;
        try {
            load = LoadGenerator.run(spec, null);
        } finally {
            server.stop(config.grace); // drains: after this every count in the state is final
        }
        ServerState.Snapshot seen = server.state().snapshot();
        boolean keepsPerClient = !state.acrossProcesses();
        long perClient = keepsPerClient
                ? seen.perClient().values().stream().mapToLong(Long::longValue).sum()
                : -1;
        Expectation expectation = Expectation.of(Models.byName(model).traits().interleaving(), state);
        return new RaceRow(
                model,
                state.name(),
                expectation,
                load.requests(),
                seen.served(),
                seen.requestNumbers(),
                duplicates(load.requestNumbers()),
                perClient,
                seen.open(),
                seen.peak(),
                load.connectionsOpened() + 1,
                settings.requests() - load.requests(), // every request not answered OK
                state.broken() ? settings.window() : Duration.ZERO,
                load.fairness());
    }

    /** Every repeat of a number already seen. */
    static long duplicates(List<Long> numbers) {
        Set<Long> distinct = new HashSet<>(numbers);
        return numbers.size() - distinct.size();
    }
}
