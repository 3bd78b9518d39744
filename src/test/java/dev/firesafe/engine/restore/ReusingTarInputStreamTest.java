package dev.firesafe.engine.restore;

import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Manifest;
import dev.firesafe.testing.Trees;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore's tar reader sees exactly what Commons Compress' own does, without its garbage per entry. */
class ReusingTarInputStreamTest {

    @TempDir
    Path tmp;

    /** Sizes around the 512-byte record, so every padding length shows up, plus the tree of every entry kind. */
    private byte[] ownArchive() throws IOException {
        Path root = Trees.everyKind(tmp.resolve("src"));
        Random random = new Random(3);
        for (int size : new int[] {0, 1, 511, 512, 513, 1023, 1024, 10_240, 10_241, 100_000}) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            Trees.write(root.resolve("sizes/" + size + ".bin"), content, "rw-r--r--");
        }
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (ArchiveWriter writer = new ArchiveWriter(tar, new Manifest(), n -> {
        })) {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted().toList()) {
                    String name = "src/" + root.relativize(p);
                    if (Files.isSymbolicLink(p)) {
                        writer.symlink(name, Files.readSymbolicLink(p).toString(), meta(p, 0));
                    } else if (Files.isDirectory(p)) {
                        writer.directory(name, meta(p, 0));
                    } else {
                        writer.file(name, p, meta(p, Files.size(p)));
                    }
                }
            }
            writer.finish(Instant.parse("2026-11-25T02:30:00Z"));
        }
        return tar.toByteArray();
    }

    private static dev.firesafe.archive.FileMeta meta(Path p, long size) throws IOException {
        return new dev.firesafe.archive.FileMeta(size, 0644,
                Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), 1000, 1000);
    }

    /** Every entry as "name type size link sha-of-content-read" (content not read when {@code readContent} is off). */
    private static List<String> entries(TarArchiveInputStream in, boolean readContent) throws IOException {
        List<String> out = new ArrayList<>();
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
            String content = readContent ? HexFormat.of().formatHex(sha256(in.readAllBytes())) : "-";
            out.add(e.getName() + " " + (int) e.getLinkFlag() + " " + e.getSize() + " " + e.getLinkName() + " "
                    + e.getLastModifiedTime() + " " + content);
        }
        out.add("bytes read " + in.getBytesRead());
        return out;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsOurArchivesExactlyAsTheLibraryDoes() throws IOException {
        byte[] tar = ownArchive();
        for (boolean readContent : new boolean[] {true, false}) {
            List<String> library = entries(new TarArchiveInputStream(new ByteArrayInputStream(tar),
                    StandardCharsets.UTF_8.name()), readContent);
            List<String> reusing = entries(new ReusingTarInputStream(new ByteArrayInputStream(tar)), readContent);
            assertEquals(library, reusing);
            assertTrue(library.size() > 25, "the archive holds every kind of entry");
        }
    }

    /**
     * An archive cut at any byte: the same entries come out, then the same end or the same error, as from the
     * library (cuts inside an entry's padding included).
     */
    @Test
    void aCutArchiveEndsOrFailsExactlyAsWithTheLibrary() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out =
                     new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            for (int size : new int[] {100, 0, 700, 512}) {
                TarArchiveEntry e = new TarArchiveEntry("f" + size);
                e.setSize(size);
                out.putArchiveEntry(e);
                out.write(new byte[size]);
                out.closeArchiveEntry();
            }
        }
        byte[] tar = bytes.toByteArray();
        int compared = 0;
        for (int cut = 0; cut <= tar.length; cut += cut < 3072 ? 1 : 97) {
            byte[] cutTar = java.util.Arrays.copyOf(tar, cut);
            assertEquals(outcome(new TarArchiveInputStream(new ByteArrayInputStream(cutTar),
                            StandardCharsets.UTF_8.name())),
                    outcome(new ReusingTarInputStream(new ByteArrayInputStream(cutTar))), "cut at " + cut);
            compared++;
        }
        assertTrue(compared > 3000);
    }

    /**
     * The entries read, then how the stream ended: "end after N bytes" or the error's message (ours reports the
     * library's error as damage, exit 4, with the library's words as its cause: issue #18).
     */
    private static List<String> outcome(TarArchiveInputStream in) {
        List<String> out = new ArrayList<>();
        try {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e.getName() + " " + in.readAllBytes().length);
            }
            out.add("end after " + in.getBytesRead());
        } catch (IOException e) {
            out.add("failed: " + e.getMessage());
        } catch (dev.firesafe.core.FiresafeException e) {
            assertEquals(dev.firesafe.core.ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
            out.add("failed: " + e.getCause().getMessage());
        }
        return out;
    }

    @Test
    void readsGnuTarArchivesExactlyAsTheLibraryDoes() throws IOException, InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("tar"), "GNU tar is not installed");
        Path root = Trees.everyKind(tmp.resolve("gnu"));
        byte[] holes = new byte[300_000];
        holes[299_999] = 1;
        Trees.write(root.resolve("sparse.bin"), holes, "rw-r--r--");
        for (String format : new String[] {"gnu", "posix", "ustar"}) {
            Path archive = tmp.resolve(format + ".tar");
            List<String> command = new ArrayList<>(List.of("tar", "--format=" + format, "-cf",
                    archive.toString(), "-C", tmp.toString(), "gnu"));
            if (format.equals("ustar")) {
                command.add(command.size() - 1, "--exclude=d*"); // ustar cannot hold the 300-character name
            } else {
                command.add(1, "--sparse");
            }
            Process tarProcess = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(tarProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, tarProcess.waitFor(), output);
            byte[] tar = Files.readAllBytes(archive);
            List<String> library = entries(new TarArchiveInputStream(new ByteArrayInputStream(tar),
                    StandardCharsets.UTF_8.name()), true);
            List<String> reusing = entries(new ReusingTarInputStream(new ByteArrayInputStream(tar)), true);
            assertEquals(library, reusing, format);
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void movingFromEntryToEntryAllocatesFarLessThanTheLibrary() throws IOException {
        byte[] tar = ownArchive();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long library = 0;
        long reusing = 0;
        for (int round = 0; round < 20; round++) { // alternate, so both get the same JIT
            long before = threads.getCurrentThreadAllocatedBytes();
            entries(new TarArchiveInputStream(new ByteArrayInputStream(tar), StandardCharsets.UTF_8.name()), false);
            long between = threads.getCurrentThreadAllocatedBytes();
            entries(new ReusingTarInputStream(new ByteArrayInputStream(tar)), false);
            long after = threads.getCurrentThreadAllocatedBytes();
            library += between - before;
            reusing += after - between;
        }
        assertTrue(reusing * 2 < library, "reusing reader allocated " + reusing + " bytes, the library " + library);
    }
}
