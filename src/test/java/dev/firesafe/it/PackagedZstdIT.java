package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zstd-jni jar as packaged (target/quarkus-app, what users run and what the native build is made from) holds
 * its JNI classes only: the FFM classes of the published multi-release jar (META-INF/versions/22), which a JDK 22+
 * JVM or the JDK 25 native-image builder would pick instead, are removed by
 * {@code quarkus.class-loading.removed-resources} (issue #22, native-build/README.md). Quarkus' test class loader
 * does not apply that removal to multi-release lookups, so this is checked on the packaged jar.
 */
class PackagedZstdIT {

    private static Path packagedZstdJar() throws IOException {
        Path lib = Cli.jar().getParent().resolve("lib/main");
        try (Stream<Path> jars = Files.list(lib)) {
            List<Path> zstd = jars.filter(p -> p.getFileName().toString().startsWith("com.github.luben.zstd-jni-"))
                    .toList();
            assertEquals(1, zstd.size(), "zstd-jni in " + lib + ": " + zstd);
            return zstd.get(0);
        }
    }

    @Test
    void thePackagedJarHasNoMultiReleaseClassesButItsJniClassesAndLibraries() throws IOException {
        try (ZipFile zip = new ZipFile(packagedZstdJar().toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith("META-INF/versions/") && n.endsWith(
                    ".class")).toList(), "add these to quarkus.class-loading.removed-resources (application.properties)");
            assertTrue(names.contains("com/github/luben/zstd/ZstdOutputStreamNoFinalizer.class"), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.matches("linux/amd64/libzstd-jni-.*\\.so")), names.toString());
        }
    }

    /** Loaded the way a JVM of this version loads the packaged jar: on a JDK 22+ JVM too, the JNI classes. */
    @Test
    void theStreamsFiresafeUsesAreTheJniClassesOnThisJvm() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {packagedZstdJar().toUri().toURL()}, null)) {
            for (String name : List.of("com.github.luben.zstd.ZstdOutputStreamNoFinalizer",
                    "com.github.luben.zstd.ZstdInputStreamNoFinalizer")) {
                Class<?> c = Class.forName(name, false, loader);
                assertTrue(Arrays.stream(c.getDeclaredMethods()).map(Method::getModifiers)
                        .anyMatch(Modifier::isNative), name + " has no native methods: it is not the JNI class");
            }
        }
    }
}
