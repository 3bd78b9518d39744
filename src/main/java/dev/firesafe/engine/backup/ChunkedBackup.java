package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.chunking.Chunker;
import dev.firesafe.command.CommandJob;
import dev.firesafe.core.Progress;
import dev.firesafe.core.Version;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.io.ChunkPipe;
import dev.firesafe.io.StageWait;
import dev.firesafe.core.Failures;
import dev.firesafe.io.HostName;
import dev.firesafe.io.Streams;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.cache.RunChunks;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.repository.format.ObjectWriter;
import dev.firesafe.source.ReadAhead;
import dev.firesafe.source.SourceWalker;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The backup pipeline of the chunked (incremental) format:
 *
 * <pre>
 *   [firesafe-read]      walk sources -> skip unchanged files -> read + SHA-256 the others
 *   [this thread]        chunk (keyed CDC) -> keyed id -> known? reference : into a block -> tree entries
 *   [firesafe-compress]  zstd per block
 *   [firesafe-encrypt]   the object's plaintext -> streaming AEAD -> every store's upload
 * </pre>
 *
 * One object per backup, written front to back (repository.format.ObjectWriter), whatever the number of files:
 * memory holds a bounded number of blocks and one tree page, never the tree.
 */
final class ChunkedBackup {

    /**
     * What was written: the footer (counts, warnings) and the chunks stored for the first time, which the caller
     * closes once the stores' caches have learnt them.
     */
    /** {@code unchangedFiles}: files referenced without being read. */
    record Output(Footer footer, RunChunks newChunks, long unchangedFiles) implements AutoCloseable {
        @Override
        public void close() {
            newChunks.close();
        }
    }

    /** Everything one run needs to know. */
    record Inputs(String id, String plan, Instant started, List<SourceSpec> sources, List<Path> roots,
                  List<String> labels, List<CommandJob> jobs, Set<Path> skipRoots, ArchiveCipher.Sealing sealing,
                  ContentKey contentKey, Chunker chunker, Compression compression, int level, int workers,
                  ChunkedWriter.KnownChunks known, ReadAhead.Unchanged unchanged,
                  java.util.function.Consumer<dev.firesafe.repository.format.TreeEntry> written, Progress progress,
                  Clock clock) {
    }

    private static final int OBJECT_BUFFER = 256 * 1024;
    static final int PIPE_DEPTH = 4;

    private ChunkedBackup() {
    }

    static Output write(Inputs in, OutputStream stores) throws IOException {
        ChunkPipe pipe = new ChunkPipe(Streams.STAGE_BUFFER, PIPE_DEPTH);
        FutureTask<Void> encrypt = new FutureTask<>(() -> {
            try (InputStream plain = pipe.source(); OutputStream out = ArchiveCipher.encrypt(stores, in.sealing())) {
                plain.transferTo(out);
            }
            return null;
        });
        Thread encryptThread = new Thread(encrypt, "firesafe-encrypt");
        encryptThread.setDaemon(true);
        pipe.readBy(encryptThread);
        encryptThread.start();
        Output output;
        try {
            OutputStream plaintext = new BufferedOutputStream(pipe.sink(), OBJECT_BUFFER);
            output = writeObject(in, plaintext);
            plaintext.close();
        } catch (Throwable e) {
            pipe.fail(e);
            Throwable encryptFailure = failureOf(encrypt, encryptThread);
            if (e instanceof ChunkPipe.ReaderGoneException && encryptFailure != null) {
                throw new IOException("encrypting or writing failed", encryptFailure);
            }
            throw e;
        }
        try {
            StageWait.get(encrypt, () -> encryptThread, "encrypting and writing");
        } catch (ExecutionException e) {
            throw Failures.unwrap(e);
        }
        return output;
    }

    private static Output writeObject(Inputs in, OutputStream plaintext) throws IOException {
        ObjectWriter object = new ObjectWriter(plaintext, in.id(), in.level());
        RunChunks stored = new RunChunks();
        try (ChunkedWriter writer = new ChunkedWriter(object, in.id(), in.chunker(), in.contentKey(), in.known(),
                in.compression(), in.level(), in.workers(), in.progress()::bytesDone, in.written(), stored)) {
            try (ReadAhead reading = ReadAhead.start(sink -> {
                SourceWalker walker = new SourceWalker(sink, in.skipRoots());
                for (int i = 0; i < in.roots().size(); i++) {
                    SourceSpec spec = in.sources().get(i);
                    walker.walk(new SourceSpec(in.roots().get(i), spec.include(), spec.exclude()),
                            in.labels().get(i));
                }
            }, in.unchanged())) {
                reading.drainInto(writer);
            }
            for (CommandJob job : in.jobs()) {
                // dumps hold secrets (password hashes, tokens): owner-only once restored
                job.command().run(stdout -> writer.stream(job.entryName(), stdout, 0600, in.clock().instant()));
            }
            writer.finish();
            List<Footer.Source> sources = new java.util.ArrayList<>();
            for (int i = 0; i < in.roots().size(); i++) {
                sources.add(new Footer.Source(in.labels().get(i), dev.firesafe.archive.FileNames.text(
                        in.roots().get(i)).text()));
            }
            for (CommandJob job : in.jobs()) {
                sources.add(new Footer.Source(job.entryName(), job.command().label()));
            }
            Footer footer = new Footer(in.id(), in.plan(), HostName.current(), in.started().toString(),
                    in.clock().instant().toString(), Version.current(), false, sources, List.of(), List.of(),
                    List.of(), writer.files(), writer.bytes(), writer.newBytes(), writer.storedBytes(),
                    writer.dedupBytes(), List.copyOf(writer.warnings()), writer.warningsLeftOut());
            object.finish(footer);
            return new Output(new Footer(footer.backupId(), footer.plan(), footer.host(), footer.started(),
                    footer.finished(), footer.firesafeVersion(), object.objects().size() == 1, footer.sources(),
                    object.objects(), List.of(), List.of(), footer.files(), footer.bytes(), footer.newBytes(),
                    footer.storedBytes(), footer.dedupBytes(), footer.warnings(), footer.warningsLeftOut()), stored,
                    writer.unchangedFiles());
        } catch (IOException | RuntimeException | Error e) {
            stored.close();
            throw e;
        }
    }

    /** Why the encrypting stage failed, or null if it did not (waits for it: it ends once the pipe failed). */
    private static Throwable failureOf(FutureTask<Void> task, Thread thread) {
        try {
            StageWait.get(task, () -> thread, "encrypting and writing");
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (IOException e) {
            return e;
        }
    }
}
