package dev.firesafe.restore;

import dev.firesafe.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.backup.BackupCatalog;
import dev.firesafe.backup.Progress;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.JitWarmup;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.io.ChunkPipe;
import dev.firesafe.io.Failures;
import dev.firesafe.io.Streams;
import dev.firesafe.target.Target;
import dev.firesafe.target.IoMessages;
import dev.firesafe.target.Targets;
import dev.firesafe.plan.FiresafeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

/**
 * Verify and restore: the backup pipeline reversed.
 *
 * <pre>
 *   [decrypt]      target -> header check -> streaming AEAD -> pipe
 *   [this thread]  pipe -> decompress -> tar -> files (+SHA-256) -> manifest comparison
 * </pre>
 */
@ApplicationScoped
public class RestoreService {

    private final KeySource keys;
    private final Targets targets;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public RestoreService(KeySource keys, FiresafeConfig config) {
        this.keys = keys;
        this.targets = new Targets(config);
    }

    /** Decrypts the backup and checks every file against the manifest; writes nothing. */
    public RestoreResult verify(String targetUri, String idOrLatest, String plan, Progress progress) {
        return run(targetUri, idOrLatest, plan, null, new Discarder(), List.of(), progress);
    }

    /**
     * Restores into {@code dest}, which must be empty or absent unless {@code force}. Until it has finished, a note
     * there says it has not ({@link IncompleteRestore}); a failure after writing something is added to the note.
     */
    public RestoreResult restore(String targetUri, String idOrLatest, String plan, Path dest, boolean force,
                                 Progress progress) {
        return restore(targetUri, idOrLatest, plan, dest, RestoreOptions.whole(force), progress, true);
    }

    /**
     * Restores as {@code options} say: possibly only what its patterns select, possibly sparse. The whole backup is
     * read and checked either way.
     */
    public RestoreResult restore(String targetUri, String idOrLatest, String plan, Path dest, RestoreOptions options,
                                 Progress progress) {
        return restore(targetUri, idOrLatest, plan, dest, options, progress, true);
    }

    /** Restores into a scratch folder its caller removes afterwards (drills): no note, whatever happens. */
    public RestoreResult restoreIntoScratch(String targetUri, String idOrLatest, String plan, Path scratch) {
        return restore(targetUri, idOrLatest, plan, scratch, RestoreOptions.whole(false), Progress.NONE, false);
    }

    private RestoreResult restore(String targetUri, String idOrLatest, String plan, Path dest, RestoreOptions options,
                                  Progress progress, boolean noteIfIncomplete) {
        SelectedEntries.compile(options.include()); // a malformed pattern fails before the destination is made
        Path created = prepareDestination(dest, options.force());
        try {
            return restoreInto(targetUri, idOrLatest, plan, dest, options, progress, noteIfIncomplete);
        } catch (RuntimeException e) {
            removeIfEmpty(dest, created);
            throw e;
        }
    }

    /**
     * A restore that failed before writing anything (an --include that matches nothing, no key, a target that
     * does not answer) leaves no empty folder behind (issue #19): the folders it created, from {@code dest} up to
     * {@code created}, go while they are empty. A folder that existed before is never removed, nor one that holds
     * anything (what a failed restore wrote is kept, with its note: {@link IncompleteRestore}).
     */
    static void removeIfEmpty(Path dest, Path created) {
        if (created == null) {
            return;
        }
        Path dir = dest.toAbsolutePath().normalize();
        Path top = created.toAbsolutePath().normalize();
        while (dir != null && dir.startsWith(top)) {
            try {
                Files.delete(dir); // only an empty folder can be deleted
            } catch (IOException e) {
                return;
            }
            dir = dir.getParent();
        }
    }

    private RestoreResult restoreInto(String targetUri, String idOrLatest, String plan, Path dest,
                                      RestoreOptions options, Progress progress, boolean noteIfIncomplete) {
        KeyRing key = keys.forReading();
        IncompleteRestore note = noteIfIncomplete ? IncompleteRestore.begin(dest) : null;
        Extractor extractor;
        try {
            extractor = new Extractor(dest, options.force(), options.sparse(), note);
        } catch (IOException e) {
            throw note != null ? note.failed(0, cannotUse(dest, e)) : cannotUse(dest, e);
        }
        RestoreResult result;
        try {
            result = run(targetUri, idOrLatest, plan, dest, extractor, options.include(), key, progress);
        } catch (FiresafeException e) {
            throw note != null ? note.failed(extractor.entriesWritten(), e) : e;
        }
        if (note != null) {
            note.finished(options.include().isEmpty());
        }
        return result;
    }

    private RestoreResult run(String targetUri, String idOrLatest, String plan, Path dest, EntryHandler handler,
                              List<String> include, Progress progress) {
        return run(targetUri, idOrLatest, plan, dest, handler, include, keys.forReading(), progress);
    }

    private RestoreResult run(String targetUri, String idOrLatest, String plan, Path dest, EntryHandler writer,
                              List<String> include, KeyRing key, Progress progress) {
        SelectedEntries selection = include.isEmpty() ? null : new SelectedEntries(writer, include);
        EntryHandler handler = selection == null ? writer : selection;
        JitWarmup.decryption(); // in the background; never waited for, so small restores pay nothing
        Target target = targets.open(targetUri);
        long started = clock.millis();
        BackupCatalog.Ref ref;
        try {
            ref = BackupCatalog.resolve(target, idOrLatest, plan);
        } catch (IOException e) {
            throw Failures.classify(e, "cannot list " + target.describe());
        }
        String what = "backup " + ref.id() + " in " + target.describe();
        try (InputStream raw = target.open(ref.objectName())) {
            ArchiveCipher.Decrypted decrypted = ArchiveCipher.decrypt(raw, key, ref.id(), what);
            Compression compression = Compression.byId(decrypted.header().compression());
            // Two stages on two cores: [firesafe-decrypt] read, decrypt, decompress -> pipe -> [this thread] tar,
            // SHA-256, hand-over to the file writer. Decompressing here instead made this thread the bottleneck
            // (half its time in zstd) while the decrypting one waited for the disk.
            ChunkPipe pipe = new ChunkPipe(Streams.STAGE_BUFFER, 4);
            FutureTask<Void> pump = new FutureTask<>(() -> {
                ChunkPipe.Sink out = pipe.sink();
                try (InputStream tar = compression.decompress(decrypted.plaintext())) {
                    out.transferFrom(tar);
                    // Read to the authenticated end: the compressed stream may end before the decrypted one,
                    // whose last segment is only checked when it is read.
                    decrypted.plaintext().transferTo(OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException | Error e) {
                    pipe.fail(e); // not close(): the reader must never mistake a failure for the end
                    throw e;
                }
                out.close();
                return null;
            });
            Thread pumpThread = new Thread(pump, "firesafe-decrypt");
            pumpThread.setDaemon(true);
            pumpThread.start();
            ArchiveReader.Report report;
            try (InputStream tar = pipe.source()) {
                report = new ArchiveReader(progress::bytesDone).read(tar, handler);
                // Read to the end: the tar ends (two zero blocks) before its padding does, and closing the pipe
                // early would fail the other thread's last hand-over as "stopped reading".
                tar.transferTo(OutputStream.nullOutputStream());
            }
            pump.get();
            return new RestoreResult(ref.id(), ref.plan(), report.manifest().host, report.manifest().started,
                    report.files(), report.bytes(), clock.millis() - started,
                    dest == null ? null : dest.toString(), List.copyOf(include),
                    dest == null ? 0 : selection == null ? report.files() : selection.files(),
                    report.manifest().warnings.stream().map(w -> w.path() + ": " + w.problem()).toList(),
                    handler.warnings(),
                    report.manifest());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FiresafeException.usage("interrupted");
        } catch (ExecutionException e) {
            throw Failures.classify(e.getCause(), what + " could not be read");
        } catch (IOException | RuntimeException e) {
            throw destinationFailure(e, dest, what).orElseGet(() -> Failures.classify(e, what + " could not be read"));
        }
    }

    /**
     * The failure as the destination's (exit 8) if writing into {@code dest} is what failed; empty if it is on the
     * side of the backup {@code what} (reading, decrypting, checking).
     */
    static Optional<FiresafeException> destinationFailure(Throwable e, Path dest, String what) {
        for (Throwable c = e; c != null && !(c instanceof FiresafeException); c = c.getCause()) {
            if (c instanceof DestinationIOException d) {
                String full = d.getMessage().contains("No space left on device") ? " (free space or restore "
                        + "elsewhere with --to; --sparse if the backup holds sparse files such as VM images)" : "";
                return Optional.of(FiresafeException.destination("cannot write into " + dest + ": "
                        + d.getMessage() + full + "; " + what + " showed no fault up to there", d));
            }
        }
        return Optional.empty();
    }

    static FiresafeException cannotUse(Path dest, IOException e) {
        return FiresafeException.destination("cannot use destination " + dest + ": " + IoMessages.describe(e), e);
    }

    /** Checks or makes {@code dest}; returns the outermost folder it made (null when {@code dest} existed). */
    static Path prepareDestination(Path dest, boolean force) {
        try {
            if (Files.isDirectory(dest)) {
                try (Stream<Path> children = Files.list(dest)) {
                    if (children.findAny().isPresent() && !force) {
                        throw FiresafeException.usage("destination " + dest
                                + " is not empty: restore into an empty folder, or add --force to overwrite");
                    }
                }
                return null;
            } else if (Files.exists(dest)) {
                throw FiresafeException.usage("destination " + dest + " exists and is not a folder");
            } else {
                Path outermost = dest.toAbsolutePath().normalize();
                while (outermost.getParent() != null
                        && !Files.exists(outermost.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                    outermost = outermost.getParent();
                }
                Files.createDirectories(dest);
                return outermost;
            }
        } catch (IOException e) {
            throw cannotUse(dest, e);
        }
    }
}
