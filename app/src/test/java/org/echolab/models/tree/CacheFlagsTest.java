package org.echolab.models.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Another JVM of ours starts from the children's AOT cache only when the cache fits its jar. */
@Timeout(30)
class CacheFlagsTest {

    @TempDir
    Path dir;

    @Test
    void aFreshCacheBesideTheJarIsUsedAndItsMessagesAreSilenced() throws Exception {
        Path jar = jarWithCache(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:01Z"));
        assertThat(ChildJvm.cacheFlags(jar.toString()))
                .containsExactly("-XX:AOTCache=" + ChildJvm.cacheOf(jar.toAbsolutePath()), "-Xlog:aot*=off");
        assertThat(ChildJvm.cacheFlags(jar + File.pathSeparator + dir.resolve("classes")))
                .as("the jar first, a workspace's classes after it")
                .hasSize(2);
    }

    @Test
    void noCacheWhenItIsOlderThanTheJarMissingOrTheClassPathDoesNotStartWithOurJar() throws Exception {
        Path jar = jarWithCache(Instant.parse("2026-01-01T00:00:01Z"), Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(ChildJvm.cacheFlags(jar.toString()))
                .as("a cache older than the jar")
                .isEmpty();
        Files.delete(ChildJvm.cacheOf(jar));
        assertThat(ChildJvm.cacheFlags(jar.toString())).as("no cache").isEmpty();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertThat(ChildJvm.cacheFlags(classes + File.pathSeparator + jar))
                .as("a directory first")
                .isEmpty();
        Path other = jarWithCache(dir.resolve("other.jar"), Instant.EPOCH, Instant.now());
        assertThat(ChildJvm.cacheFlags(other.toString()))
                .as("not an echolab jar")
                .isEmpty();
    }

    private Path jarWithCache(Instant jarTime, Instant cacheTime) throws Exception {
        return jarWithCache(dir.resolve("echolab.jar"), jarTime, cacheTime);
    }

    private static Path jarWithCache(Path jar, Instant jarTime, Instant cacheTime) throws Exception {
        Files.writeString(jar, "jar");
        Path cache = Files.writeString(ChildJvm.cacheOf(jar), "cache");
        Files.setLastModifiedTime(jar, FileTime.from(jarTime));
        Files.setLastModifiedTime(cache, FileTime.from(cacheTime));
        return jar;
    }
}
