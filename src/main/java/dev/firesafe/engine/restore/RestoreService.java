package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.JitWarmup;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.io.ChunkPipe;
import dev.firesafe.io.StageWait;
import dev.firesafe.core.Failures;
import dev.firesafe.io.Streams;
import dev.firesafe.store.Store;
import dev.firesafe.core.IoMessages;
import dev.firesafe.store.StoreRegistry;

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
public class RestoreService {

    private final KeySource keys;
    private final StoreRegistry targets;
    private final Clock clock = Clock.systemUTC();

    public RestoreService(KeySource keys, StoreRegistry stores) {
        this.keys = keys;
        this.targets = stores;
    }

    /** Decrypts the backup and checks every file against the manifest; writes nothing. */
    public RestoreResult verify(String targetUri, String idOrLatest, String plan, Progress progress) {
        return verify(targetUri, idOrLatest, plan, progress, false);
    }

    /**
     * The same; {@code listEntries}: the result's manifest lists every entry (a chunked backup's tree is otherwise
     * never held whole: a million files would not fit the memory a restore keeps to).
     */
    public RestoreResult verify(String targetUri, String idOrLatest, String plan, Progress progress,
                                boolean listEntries) {
        return run(targetUri, idOrLatest, plan, null, new Discarder(), List.of(), keys.forReading(), progress,
                listEntries);
    }

    /**
     * Checks every backup on the target ({@code plan}: of that plan only), reading each stored object once
     * ({@link RepositoryCheck}); a format-1 backup, which nothing else refers to, by decrypting it whole. One
     * damaged or missing object fails only the backups that need it.
     */
    public VerifyAllResult verifyAll(String targetUri, String plan, Progress progress) {
        try (Store target = targets.open(targetUri)) {
            return verifyAll(target, plan, progress);
        }
    }

    /** {@link #verify} of one backup on an open store. */
    RestoreResult verifyOne(Store target, String idOrLatest, String plan) {
        return run(target, idOrLatest, plan, null, new Discarder(), null, List.of(), keys.forReading(), Progress.NONE,
                false);
    }

    public VerifyAllResult verifyAll(Store target, String plan, Progress progress) {
        BackupCatalog.Listing listing;
        try {
            listing = BackupCatalog.listing(target, plan);
        } catch (IOException e) {
            throw Failures.classify(e, "cannot list " + target.describe());
        }
        if (listing.backups().isEmpty()) {
            throw new FiresafeException(dev.firesafe.core.ExitCode.TARGET, "no backups"
                    + (plan == null ? "" : " of plan '" + plan + "'") + " in " + target.describe());
        }
        KeyRing key = keys.forReading();
        java.util.Map<String, VerifyAllResult.Backup> verdicts = new java.util.HashMap<>();
        java.util.Map<String, List<BackupCatalog.Ref>> chunked = new java.util.TreeMap<>();
        for (BackupCatalog.Ref ref : listing.backups()) {
            String what = "backup " + ref.id() + " in " + target.describe();
            try {
                if (isChunked(inPlace(target, ref, what))) {
                    chunked.computeIfAbsent(ref.plan(), p -> new java.util.ArrayList<>()).add(ref);
                    continue;
                }
                RestoreResult r = run(target, ref.id(), ref.plan(), null, new Discarder(), null, List.of(), key,
                        Progress.NONE, false);
                verdicts.put(ref.objectName(), new VerifyAllResult.Backup(ref.id(), ref.plan(), true, 0, null,
                        r.files(), r.bytes()));
            } catch (FiresafeException f) {
                verdicts.put(ref.objectName(), new VerifyAllResult.Backup(ref.id(), ref.plan(), false,
                        f.exitCode().code, f.getMessage(), 0, 0));
            }
        }
        List<VerifyAllResult.ObjectProblem> problems = new java.util.ArrayList<>();
        long objects = verdicts.size();
        for (java.util.Map.Entry<String, List<BackupCatalog.Ref>> e : chunked.entrySet()) {
            RepositoryCheck.Outcome outcome;
            try {
                outcome = new RepositoryCheck(target, key, progress::bytesDone).check(listing.ofPlan(e.getKey()), e.getValue());
            } catch (IOException ex) {
                throw Failures.classify(ex, "cannot read " + target.describe());
            }
            outcome.backups().forEach(b -> verdicts.put(BackupCatalog.objectName(b.plan(), b.id()), b));
            problems.addAll(outcome.problems());
            objects += outcome.objects();
        }
        // by object name: a backup copied into another plan's folder has the same id in both
        return new VerifyAllResult(target.describe(), listing.backups().stream()
                .map(r -> verdicts.get(r.objectName()))
                .toList(), problems, objects);
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
            // a drill reads the restored tree back against every entry
            result = run(targetUri, idOrLatest, plan, dest, extractor, options.include(), key, progress,
                    !noteIfIncomplete);
        } catch (FiresafeException e) {
            throw note != null ? note.failed(extractor.entriesWritten(), e) : e;
        }
        if (note != null) {
            note.finished(options.include().isEmpty());
        }
        return result;
    }

    private RestoreResult run(String targetUri, String idOrLatest, String plan, Path dest, EntryHandler writer,
                              List<String> include, KeyRing key, Progress progress, boolean listEntries) {
        SelectedEntries selection = include.isEmpty() ? null : new SelectedEntries(writer, include);
        EntryHandler handler = selection == null ? writer : selection;
        JitWarmup.decryption(); // in the background; never waited for, so small restores pay nothing
        try (Store target = targets.open(targetUri)) {
            return run(target, idOrLatest, plan, dest, handler, selection, include, key, progress, listEntries);
        }
    }

    private RestoreResult run(Store target, String idOrLatest, String plan, Path dest, EntryHandler handler,
                              SelectedEntries selection, List<String> include, KeyRing key, Progress progress,
                              boolean listEntries) {
        long started = clock.millis();
        BackupCatalog.Ref ref;
        try {
            ref = BackupCatalog.resolve(target, idOrLatest, plan);
        } catch (IOException e) {
            throw Failures.classify(e, "cannot list " + target.describe());
        }
        String what = "backup " + ref.id() + " in " + target.describe();
        if (isChunked(inPlace(target, ref, what))) {
            return chunked(target, ref, dest, handler, selection, include, key, progress, started, what,
                    listEntries);
        }
        try (InputStream raw = target.open(ref.objectName())) {
            ArchiveCipher.Decrypted decrypted = ArchiveCipher.decrypt(raw, key, ref.id(), what);
            Compression compression = Compression.byId(decrypted.header().compression());
            // Two stages on two cores: [firesafe-decrypt] read, decrypt, decompress -> pipe -> [this thread] tar,
            // SHA-256, hand-over to the file writer. Decompressing here instead made this thread the bottleneck
            // (half its time in zstd) while the decrypting one waited for the disk.
            ChunkPipe pipe = new ChunkPipe(Streams.STAGE_BUFFER, 4);
            FutureTask<Void> pump = new FutureTask<>(() -> {
                ChunkPipe.Sink out = pipe.sink();
                try (InputStream tar = malformedAsDamage(compression.decompress(decrypted.plaintext()), what)) {
                    out.transferFrom(tar);
                    // Read to the authenticated end: the compressed stream may end before the decrypted one,
                    // whose last segment is only checked when it is read.
                    decrypted.plaintext().transferTo(OutputStream.nullOutputStream());
                } catch (Throwable e) {
                    pipe.fail(e); // not close(): the reader must never mistake a failure for the end
                    throw e;
                }
                out.close();
                return null;
            });
            Thread pumpThread = new Thread(pump, "firesafe-decrypt");
            pumpThread.setDaemon(true);
            pipe.writtenBy(pumpThread);
            pumpThread.start();
            ArchiveReader.Report report;
            try (InputStream tar = pipe.source()) {
                report = new ArchiveReader(progress::bytesDone).read(tar, handler);
                // Read to the end: the tar ends (two zero blocks) before its padding does, and closing the pipe
                // early would fail the other thread's last hand-over as "stopped reading".
                tar.transferTo(OutputStream.nullOutputStream());
            }
            StageWait.get(pump, () -> pumpThread, "decrypting");
            return new RestoreResult(ref.id(), ref.plan(), report.manifest().host, report.manifest().started,
                    report.files(), report.bytes(), clock.millis() - started,
                    dest == null ? null : dest.toString(), List.copyOf(include),
                    dest == null ? 0 : selection == null ? report.files() : selection.files(),
                    report.manifest().warnings.stream().map(w -> w.path() + ": " + w.problem()).toList(),
                    handler.warnings(),
                    report.manifest());
        } catch (ExecutionException e) {
            throw Failures.classify(e.getCause(), what + " could not be read");
        } catch (IOException | RuntimeException e) {
            throw destinationFailure(e, dest, what).orElseGet(() -> Failures.classify(e, what + " could not be read"));
        }
    }

    /**
     * Reads backup {@code id} of {@code plan} on an open store, handing the entries {@code include} selects to
     * {@code handler} (a point-in-time restore streams a base backup's tar through it).
     */
    RestoreResult read(Store target, String id, String plan, Path dest, EntryHandler handler, List<String> include,
                       KeyRing key) {
        SelectedEntries selection = new SelectedEntries(handler, include);
        return run(target, id, plan, dest, selection, selection, include, key, Progress.NONE, false);
    }

    /**
     * Decompressed data whose decompressor's own errors (data zstd cannot read, inside a ciphertext that
     * authenticated) are damage, exit 4 (issue #18: "internal error"); failures of the stream below it (the
     * target's, authentication's) pass through as they are.
     */
    private static InputStream malformedAsDamage(InputStream decompressed, String what) {
        return new dev.firesafe.io.ErrorMappingInputStream(decompressed) {
            @Override
            protected IOException map(IOException e) {
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof dev.firesafe.core.TamperedException
                            || c instanceof dev.firesafe.core.StoreIOException) {
                        return e;
                    }
                }
                throw FiresafeException.integrity("malformed archive: the compressed data inside " + what
                        + " cannot be decompressed (" + e.getMessage() + "): it decrypted, but what it holds is "
                        + "damaged or was not made by Firesafe", e);
            }
        };
    }

    private static boolean isChunked(BackupHeader header) {
        return header.format() == BackupHeader.FORMAT_CHUNKED;
    }

    /**
     * The plaintext header of {@code ref}, refused (damage, exit 4) where it names another backup or plan than where
     * it was found: moved or copied from another plan's folder ({@link BackupCatalog#misplaced}). The header is
     * authenticated by the decryption that follows, so one edited to agree fails there.
     */
    private static BackupHeader inPlace(Store target, BackupCatalog.Ref ref, String what) {
        BackupHeader header;
        try {
            header = BackupCatalog.header(target, ref);
        } catch (IOException e) {
            throw Failures.classify(e, what + " could not be read");
        }
        BackupCatalog.misplaced(ref, header).ifPresent(problem -> {
            throw FiresafeException.integrity(problem);
        });
        return header;
    }

    /** A chunked (incremental) backup: its tree, with each file's chunks read by range from where they are. */
    private RestoreResult chunked(Store target, BackupCatalog.Ref ref, Path dest, EntryHandler handler,
                                  SelectedEntries selection, List<String> include, KeyRing key, Progress progress,
                                  long started, String what, boolean listEntries) {
        try {
            ArchiveReader.Report report = new ChunkedReader(target, key, progress::bytesDone, listEntries)
                    .read(ref, handler);
            return new RestoreResult(ref.id(), ref.plan(), report.manifest().host, report.manifest().started,
                    report.files(), report.bytes(), clock.millis() - started,
                    dest == null ? null : dest.toString(), List.copyOf(include),
                    dest == null ? 0 : selection == null ? report.files() : selection.files(),
                    report.manifest().warnings.stream().map(w -> w.path() + ": " + w.problem()).toList(),
                    handler.warnings(),
                    report.manifest());
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
