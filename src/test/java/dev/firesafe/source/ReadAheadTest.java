package dev.firesafe.source;

import dev.firesafe.archive.EntryWriter;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.FileMeta;
import dev.firesafe.archive.Manifest;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backup's reading thread: same archive as reading on the writing thread, bounded, stoppable. */
class ReadAheadTest {

    private static final Instant END = Instant.parse("2026-11-25T02:00:00Z");

    @TempDir
    Path tmp;

    /** Every entry kind plus more content than the read-ahead may hold, so its buffers are reused. */
    private Path bigTree() throws IOException {
        Path root = Trees.everyKind(tmp.resolve("src"));
        Random random = new Random(7);
        for (int i = 0; i < 48; i++) {
            byte[] content = new byte[200_000 + random.nextInt(200_000)];
            random.nextBytes(content);
            Trees.write(root.resolve("many/file-" + i + ".bin"), content, "rw-r--r--");
        }
        return root;
    }

    @Test
    void archiveIsByteForByteTheOneAWalkOnTheWritingThreadMakes() throws IOException {
        Path root = bigTree();
        SourceSpec spec = new SourceSpec(root, List.of(), List.of());

        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        Manifest directManifest = new Manifest();
        try (ArchiveWriter writer = new ArchiveWriter(direct, directManifest, n -> {
        })) {
            new SourceWalker(onThisThread(writer), Set.of()).walk(spec, "src");
            writer.finish(END);
        }

        ByteArrayOutputStream readAhead = new ByteArrayOutputStream();
        Manifest readAheadManifest = new Manifest();
        ReadAhead reading;
        try (ArchiveWriter writer = new ArchiveWriter(readAhead, readAheadManifest, n -> {
        })) {
            reading = ReadAhead.start(sink -> new SourceWalker(sink, Set.of()).walk(spec, "src"));
            try (reading) {
                reading.drainInto(writer);
            }
            writer.finish(END);
        }

        assertTrue(direct.size() > 2 * ReadAhead.BUFFERS * ReadAhead.BUFFER_SIZE, "tree exceeds the bound");
        assertArrayEquals(direct.toByteArray(), readAhead.toByteArray());
        assertEquals(directManifest.files, readAheadManifest.files);
        assertTrue(reading.buffersMade() <= ReadAhead.BUFFERS, "made " + reading.buffersMade() + " buffers");
        assertFalse(reading.readerAlive());
    }

    @Test
    void whatTheWalkFailsWithIsThrownToTheWriter() throws IOException {
        Path root = Trees.everyKind(tmp.resolve("src"));
        FiresafeException failure = FiresafeException.source("source path /gone does not exist");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Manifest manifest = new Manifest();
        try (ArchiveWriter writer = new ArchiveWriter(out, manifest, n -> {
        }); ReadAhead reading = ReadAhead.start(sink -> {
            new SourceWalker(sink, Set.of()).walk(new SourceSpec(root, List.of(), List.of()),
                    "src");
            throw failure;
        })) {
            FiresafeException thrown = assertThrows(FiresafeException.class, () -> reading.drainInto(writer));
            assertSame(failure, thrown);
            assertTrue(manifest.files > 0, "what was read before the failure was written");
        }
    }

    /**
     * Issue #18 point 1: a reading thread that dies of an Error (here after part of the walk) ends the writer's
     * wait promptly with that Error, never a hang.
     */
    @Test
    void anErrorOnTheReadingThreadEndsTheWriterPromptly() throws IOException {
        Path root = Trees.everyKind(tmp.resolve("src"));
        OutOfMemoryError error = new OutOfMemoryError("injected: the reading thread ran out of memory");
        try (ArchiveWriter writer = new ArchiveWriter(new ByteArrayOutputStream(), new Manifest(), n -> {
        }); ReadAhead reading = ReadAhead.start(sink -> {
            new SourceWalker(sink, Set.of()).walk(new SourceSpec(root, List.of(), List.of()), "src");
            throw error;
        })) {
            Error thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(Error.class, () -> reading.drainInto(writer)));
            assertSame(error, thrown);
        }
    }

    /**
     * Issue #18 point 1: the reading thread may die in a way that hands nothing over (before, a Throwable the
     * thread did not catch, or an OutOfMemoryError thrown again while reporting the first: the writer waited
     * forever). The writer notices the thread is gone and fails with a clear message.
     */
    @Test
    void aReadingThreadThatDiesOfAnyThrowableNeverLeavesTheWriterWaiting() throws IOException {
        Path root = Trees.everyKind(tmp.resolve("src"));
        Exception checked = new Exception("injected: thrown past the walk's signature");
        try (ArchiveWriter writer = new ArchiveWriter(new ByteArrayOutputStream(), new Manifest(), n -> {
        }); ReadAhead reading = ReadAhead.start(sink -> {
            new SourceWalker(sink, Set.of()).walk(new SourceSpec(root, List.of(), List.of()), "src");
            ReadAheadTest.<RuntimeException>sneakyThrow(checked);
        })) {
            IOException thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(IOException.class, () -> reading.drainInto(writer)));
            assertSame(checked, thrown.getCause(), thrown.toString());
            assertTrue(thrown.getMessage().contains("reading the source files failed"), thrown.getMessage());
        }
    }

    /** The look-up of unchanged files runs on the reading thread too: an Error there ends the run as well. */
    @Test
    void anErrorInTheUnchangedLookUpEndsTheWriterPromptly() throws IOException {
        Path root = Trees.everyKind(tmp.resolve("src"));
        StackOverflowError error = new StackOverflowError("injected");
        try (ArchiveWriter writer = new ArchiveWriter(new ByteArrayOutputStream(), new Manifest(), n -> {
        }); ReadAhead reading = ReadAhead.start(
                sink -> new SourceWalker(sink, Set.of()).walk(new SourceSpec(root, List.of(), List.of()), "src"),
                (name, meta) -> {
                    throw error;
                })) {
            Error thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(Error.class, () -> reading.drainInto(writer)));
            assertSame(error, thrown);
        }
    }

    /**
     * Unchanged files are handed to the writer in batches (one wake-up for many, not one each): the writer still
     * sees every entry, changed or not, in walk order, and the last batch before the walk ends.
     */
    @Test
    void unchangedFilesHandedOverInBatchesKeepWalkOrder() throws IOException {
        Path root = tmp.resolve("src");
        for (int d = 0; d < 3; d++) {
            for (int f = 0; f < 400; f++) { // more than a batch per folder
                Trees.write(root.resolve("d" + d + "/f" + String.format("%03d", f)), new byte[]{(byte) f},
                        "rw-r--r--");
            }
        }
        SourceSpec spec = new SourceSpec(root, List.of(), List.of());
        List<String> direct = new ArrayList<>();
        EntryWriter directRecorder = recorder(direct);
        new SourceWalker(onThisThread(directRecorder, (name, path, meta) -> directRecorder.beginFile(name, meta)),
                Set.of()).walk(spec, "src");
        List<String> seen = new ArrayList<>();
        // every third file unchanged: batches end at changed files, folders, the batch size and the walk's end
        try (ReadAhead reading = ReadAhead.start(sink -> new SourceWalker(sink, Set.of()).walk(spec, "src"),
                (name, meta) -> name.hashCode() % 3 == 0 ? "previous" : null)) {
            reading.drainInto(recorder(seen));
        }
        List<String> expected = direct.stream().map(e -> {
            String name = e.substring(e.indexOf(' ') + 1);
            return e.startsWith("file ") && name.hashCode() % 3 == 0 ? "unchanged " + name : e;
        }).toList();
        assertEquals(expected, seen);
        assertTrue(seen.stream().filter(e -> e.startsWith("unchanged ")).count() > 300, "unchanged files were seen");
    }

    /** An entry writer that notes each entry as "KIND NAME" (a file's content is not noted). */
    private static EntryWriter recorder(List<String> entries) {
        return new EntryWriter() {
            @Override
            public void directory(String name, FileMeta meta) {
                entries.add("dir " + name);
            }

            @Override
            public void symlink(String name, String linkTarget, FileMeta meta) {
                entries.add("link " + name);
            }

            @Override
            public void warn(String name, String problem) {
                entries.add("warn " + name);
            }

            @Override
            public void exactBytes(String name, byte[] path, byte[] linkTarget) {
                entries.add("exact " + name);
            }

            @Override
            public void beginFile(String name, FileMeta meta) {
                entries.add("file " + name);
            }

            @Override
            public void fileData(byte[] buffer, int length) {
            }

            @Override
            public void endFile(String name, FileMeta meta, String sha256Hex) {
            }

            @Override
            public void unchangedFile(String name, FileMeta meta, Object previous) {
                entries.add("unchanged " + name);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void closingStopsAReaderThatNobodyDrains() throws IOException {
        Path root = bigTree();
        AtomicBoolean walkEnded = new AtomicBoolean();
        ReadAhead reading = ReadAhead.start(sink -> {
            new SourceWalker(sink, Set.of()).walk(new SourceSpec(root, List.of(), List.of()),
                    "src");
            walkEnded.set(true);
        });
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (reading.buffersMade() < ReadAhead.BUFFERS && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(ReadAhead.BUFFERS, reading.buffersMade(), "the reader filled every buffer it may have");
        reading.close();
        assertFalse(reading.readerAlive(), "the reading thread ended");
        assertFalse(walkEnded.get(), "the walk could not have ended: nobody took its content");
        assertTrue(reading.buffersMade() <= ReadAhead.BUFFERS);
    }

    @Test
    void aFailingWriterStopsTheReaderWithItsOwnError() throws IOException {
        Path root = bigTree();
        IOException diskFull = new IOException("No space left on device");
        java.io.OutputStream fillsUp = new java.io.OutputStream() {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 3_000_000) {
                    throw diskFull;
                }
            }
        };
        ReadAhead reading = ReadAhead.start(sink -> new SourceWalker(sink, Set.of()).walk(
                new SourceSpec(root, List.of(), List.of()), "src"));
        try (reading; ArchiveWriter writer = new ArchiveWriter(fillsUp, new Manifest(), n -> {
        })) {
            assertSame(diskFull, assertThrows(IOException.class, () -> reading.drainInto(writer)));
        } catch (IOException closing) {
            // the writer's close meets the full disk again; the failure that counts was asserted above
        }
        assertFalse(reading.readerAlive(), "the reading thread ended with the backup");
    }

    @Test
    void closingFromAnInterruptedThreadStillWaitsForTheReader() throws IOException {
        Path root = bigTree();
        ReadAhead reading = ReadAhead.start(sink -> new SourceWalker(sink, Set.of()).walk(
                new SourceSpec(root, List.of(), List.of()), "src"));
        Thread.currentThread().interrupt();
        reading.close();
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertFalse(reading.readerAlive());
    }

    /** Walks straight into {@code writer}, reading each file on the walking thread. */
    private static SourceWalker.EntrySink onThisThread(ArchiveWriter writer) {
        return onThisThread(writer, writer::file);
    }

    /** How a walk straight into a writer takes a file. */
    private interface FileStep {
        void file(String name, Path path, FileMeta meta) throws IOException;
    }

    /** Walks straight into {@code writer}, each file given to {@code files} on the walking thread. */
    private static SourceWalker.EntrySink onThisThread(EntryWriter writer, FileStep files) {
        return new SourceWalker.EntrySink() {
            @Override
            public void directory(String name, FileMeta meta) throws IOException {
                writer.directory(name, meta);
            }

            @Override
            public void symlink(String name, String target, FileMeta meta) throws IOException {
                writer.symlink(name, target, meta);
            }

            @Override
            public void file(String name, Path path, FileMeta meta) throws IOException {
                files.file(name, path, meta);
            }

            @Override
            public void warn(String name, String problem) throws IOException {
                writer.warn(name, problem);
            }
        };
    }
}
