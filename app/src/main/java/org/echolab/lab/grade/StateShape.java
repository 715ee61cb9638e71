package org.echolab.lab.grade;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.echolab.state.ServerState;
import org.echolab.state.States;

/**
 * What a student's state is made of, read from one instance's fields by reflection: which maps it
 * keeps and which counters are {@code volatile}. Hints about races name a {@code HashMap} or
 * {@code volatile} only when the state holds one.
 */
record StateShape(List<String> maps, List<String> volatileCounters) {

    static StateShape of(States.Variant variant) {
        List<String> maps = new ArrayList<>();
        List<String> volatiles = new ArrayList<>();
        try {
            ServerState state = variant.create(Duration.ZERO);
            for (Class<?> c = state.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) {
                        continue;
                    }
                    if (Map.class.isAssignableFrom(f.getType())) {
                        try {
                            f.setAccessible(true);
                            Object v = f.get(state);
                            maps.add(f.getName() + ":"
                                    + (v == null
                                            ? f.getType().getSimpleName()
                                            : v.getClass().getSimpleName()));
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            maps.add(f.getName() + ":" + f.getType().getSimpleName());
                        }
                    }
                    if (Modifier.isVolatile(f.getModifiers())
                            && (f.getType() == long.class || f.getType() == int.class)) {
                        volatiles.add(f.getName());
                    }
                }
            }
            if (state instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception e) {
            // a state that cannot be made: the checks say so
        }
        return new StateShape(maps, volatiles);
    }

    boolean hashMap() {
        return maps.stream()
                .anyMatch(m -> m.endsWith(":HashMap") || m.endsWith(":TreeMap") || m.endsWith(":LinkedHashMap"));
    }

    boolean concurrentMap() {
        return maps.stream().anyMatch(m -> m.contains("Concurrent"));
    }

    /** A sentence about volatile when a counter is volatile, else "". */
    String volatileNote() {
        return volatileCounters.isEmpty()
                ? ""
                : "; " + String.join(", ", volatileCounters) + " is volatile, which makes"
                        + " each read and each write seen by every thread, but does not make a read-add-write one step";
    }

    String perClientHint() {
        if (hashMap()) {
            return "the per-client counts live in a " + maps + " that several threads change at once: a HashMap"
                    + " loses updates and can corrupt itself; use a ConcurrentHashMap and merge(client, 1L, Long::sum)";
        }
        if (concurrentMap()) {
            return "the per-client counts lose updates: get, then put is two steps even on a ConcurrentHashMap"
                    + " (another thread's put falls between them); merge(client, 1L, Long::sum) is one";
        }
        return "the per-client counts lose updates: each change must be one atomic step";
    }

    /** The hint for a failed stress round, from what went wrong in it. */
    String stressHint(String problem, Throwable failure) {
        if (failure != null) {
            return where(failure).isEmpty() && !hashMap()
                    ? "a method threw when several threads called it at once: make each safe"
                    : "a HashMap changed by several threads at once can corrupt itself and throw: use a ConcurrentHashMap"
                            + " and merge(client, 1L, Long::sum)";
        }
        List<String> hints = new ArrayList<>();
        if (problem.contains("duplicate")) {
            hints.add("nextRequestNumber must read, add and write in one step" + volatileNote());
        }
        if (problem.contains("served ")) {
            hints.add("served must be counted in one atomic step"
                    + (problem.contains("duplicate") ? "" : volatileNote()));
        }
        if (problem.contains("per-client")) {
            hints.add(perClientHint());
        }
        if (problem.contains("open after") || problem.contains(RaceChecks.MORE_THAN_OPEN)) {
            hints.add("open++ and open-- lose updates: both under the same lock, or an AtomicLong");
        }
        if (problem.contains("peak") && !problem.contains(RaceChecks.MORE_THAN_OPEN)) {
            hints.add("the peak may only rise, in one step: AtomicLong.accumulateAndGet(now, Math::max)");
        }
        return String.join("; ", hints);
    }

    /** " (thrown inside a HashMap)" when a HashMap's own code threw it, else "". */
    static String where(Throwable failure) {
        boolean inHashMap = Arrays.stream(failure.getStackTrace())
                .anyMatch(f -> f.getClassName().startsWith("java.util.HashMap")
                        || f.getClassName().startsWith("java.util.TreeMap"));
        return inHashMap ? " (thrown inside a HashMap changed by several threads at once)" : "";
    }
}
