package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #2, point 7: a 2 GiB tree and a single 2 GiB file go through backup and restore in a JVM capped at
 * 128 MiB of heap (and 64 MiB of direct memory), and nothing unencrypted is staged in the temp folder.
 * If the pipeline ever held an archive, a file or a segment list whole, these runs would die with
 * OutOfMemoryError.
 */
class BoundedMemoryIT {

    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    @Test
    void twoGibTreeInBoundedMemory() throws IOException {
        Path tree = tmp.resolve("tree");
        byte[] block = randomBlock();
        int files = 512;
        for (int i = 0; i < files; i++) {
            writeFile(tree.resolve("d" + (i % 16) + "/f" + i + ".bin"), block, i, (2 * GIB) / files);
        }
        roundTrip(tree);
    }

    @Test
    void singleTwoGibFileInBoundedMemory() throws IOException {
        Path tree = tmp.resolve("one");
        writeFile(tree.resolve("huge.img"), randomBlock(), 1, 2 * GIB);
        roundTrip(tree);
    }

    /**
     * Issue #6: a database dump or other command output streams straight into the archive. 2 GiB of
     * incompressible command output (the shape of a large dump) is backed up and verified under the same caps,
     * with no temp file: the stream is never buffered whole or staged.
     */
    @Test
    void twoGibCommandStreamInBoundedMemory() throws IOException {
        Path scratchTmp = Files.createDirectories(tmp.resolve("java-tmp"));
        Cli cli = boundedCli(scratchTmp);
        String target = tmp.resolve("backups").toString();
        Path empty = Files.createDirectories(tmp.resolve("nothing-else"));

        Cli.Result backup = cli.run("backup", "--source", empty.toString(), "--target", target, "--json",
                "--command", "db/dump.bin=head -c " + 2 * GIB + " /dev/urandom");
        assertEquals(0, backup.exitCode(), backup.toString());
        assertTrue(backup.stdout().contains("\"bytesIn\":" + 2 * GIB), backup.stdout());
        assertOnlyNativeLibrariesIn(scratchTmp);

        Cli.Result verify = cli.run("verify", "latest", "--target", target);
        assertEquals(0, verify.exitCode(), verify.toString());
        assertOnlyNativeLibrariesIn(scratchTmp);
    }

    private Cli boundedCli(Path scratchTmp) {
        Cli cli = new Cli(tmp).jvm("-Xmx128m").jvm("-XX:MaxDirectMemorySize=64m")
                .jvm("-Djava.io.tmpdir=" + scratchTmp);
        Cli.Result keygen = cli.run("keygen");
        return cli.env("FIRESAFE_MASTER_KEY", keygen.stdout().strip());
    }

    private void roundTrip(Path source) throws IOException {
        Path scratchTmp = Files.createDirectories(tmp.resolve("java-tmp"));
        Cli cli = boundedCli(scratchTmp);
        String target = tmp.resolve("backups").toString();

        Cli.Result backup = cli.run("backup", "--source", source.toString(), "--target", target);
        assertEquals(0, backup.exitCode(), backup.toString());
        assertOnlyNativeLibrariesIn(scratchTmp);

        Path out = tmp.resolve("restored");
        Cli.Result restore = cli.run("restore", "latest", "--to", out.toString(), "--target", target);
        assertEquals(0, restore.exitCode(), restore.toString());
        assertOnlyNativeLibrariesIn(scratchTmp);
        assertSameFiles(source, out.resolve(source.getFileName()));
    }

    /** zstd-jni unpacks its native library into java.io.tmpdir; anything else there would be staged data. */
    private static void assertOnlyNativeLibrariesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> staged = files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().endsWith(".so")).toList();
            assertTrue(staged.isEmpty(), "temp files written during backup/restore: " + staged);
        }
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        try (Stream<Path> files = Files.walk(expected)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path twin = actual.resolve(expected.relativize(f));
                assertEquals(Files.size(f), Files.size(twin), twin.toString());
                assertEquals(Trees.sha256(f), Trees.sha256(twin), twin.toString());
            }
        }
    }

    private static byte[] randomBlock() {
        byte[] block = new byte[4 << 20];
        new Random(2).nextBytes(block);
        return block;
    }

    /** {@code size} bytes of incompressible data, distinct per file and per block, written quickly. */
    private static void writeFile(Path file, byte[] block, int seed, long size) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            long written = 0;
            int n = 0;
            while (written < size) {
                int len = (int) Math.min(block.length, size - written);
                block[0] = (byte) seed;
                block[1] = (byte) n++;
                out.write(block, 0, len);
                written += len;
            }
        }
    }
}
