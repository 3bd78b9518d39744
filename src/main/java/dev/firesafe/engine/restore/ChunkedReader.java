package dev.firesafe.engine.restore;

import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkTable;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.repository.format.ObjectReader;
import dev.firesafe.repository.format.TreeEntry;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Restores (or verifies) a chunked backup: its tree, page by page, through an {@link EntryHandler}, each file's
 * chunks fetched by range from the objects that hold them and checked against the file's SHA-256. Entry names
 * pass the same safety checks as an archive's ({@link ArchivePaths}, {@link LinkGuard}, nothing twice, nothing
 * below a file). A chunk whose object is gone or damaged fails the restore naming it; no other backup is needed
 * than those its footer lists. A chunk in an object that prune has rewritten (the object is gone, generations of it
 * are there: repository.BackupCatalog.Family) is found by its id in a generation.
 */
final class ChunkedReader {

    /**
     * Objects kept open at once besides the backup's own: an open one costs its decryption's segment buffers and
     * its footer (block buffers are shared), and reopening one costs a request and its header and footer again. A
     * backup of a tree changed a little each time has files in many objects, read in tree order; with 4, restoring
     * the newest of 12 such backups reopened objects all along.
     */
    private static final int OPEN_OBJECTS = 16;

    private final Store store;
    private final KeyRing keys;
    private final LongConsumer onBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final MessageDigest sha256 = StreamParts.sha256();
    private BackupCatalog.Ref backup;
    private BackupCatalog.Listing listing;
    private final Map<String, BackupCatalog.Ref> objects = new HashMap<>();
    private final Map<String, ChunkTable> generationIndexes = new HashMap<>();
    /**
     * The other objects this backup's chunks are in, the least recently used closed beyond {@link #OPEN_OBJECTS}.
     * The backup's own object is not among them: its tree is read from start to end, so closing it for another
     * object's sake broke every restore of a backup needing more than a few others.
     */
    private final LinkedHashMap<String, ChunkedObjects.Opened> open = new LinkedHashMap<>(16, 0.75f, true);
    private ChunkedObjects.Opened self;
    /**
     * Four blocks: a file that changed since the old object's block of small files, and the files around it, come
     * from two or three blocks in turn; each block kept is up to two block-sized arrays (1-4 MiB).
     */
    private final ObjectReader.BlockBuffers blocks = new ObjectReader.BlockBuffers(4);

    private final boolean listEntries;

    /** {@code listEntries}: the report's manifest lists every entry (else only the footer's facts). */
    ChunkedReader(Store store, KeyRing keys, LongConsumer onBytes, boolean listEntries) {
        this.listEntries = listEntries;
        this.store = store;
        this.keys = keys;
        this.onBytes = onBytes;
    }

    ArchiveReader.Report read(BackupCatalog.Ref ref, EntryHandler handler) throws IOException {
        try {
            return readAll(ref, handler);
        } catch (IOException | RuntimeException | Error e) {
            handler.abort();
            throw e;
        } finally {
            for (ChunkedObjects.Opened o : open.values()) {
                o.close();
            }
            if (self != null) {
                self.close();
            }
        }
    }

    private ArchiveReader.Report readAll(BackupCatalog.Ref ref, EntryHandler handler) throws IOException {
        this.backup = ref;
        self = ChunkedObjects.open(store, ref, keys);
        Footer footer = self.reader().footer();
        if (!footer.backupId().equals(ref.id()) || !footer.plan().equals(ref.plan())) {
            throw FiresafeException.integrity("backup " + ref.id() + " in " + store.describe() + " says it is backup "
                    + footer.backupId() + " of plan '" + footer.plan() + "': moved or swapped");
        }
        Manifest manifest = manifest(footer);
        NameChecks names = new NameChecks();
        long[] files = {0};
        self.reader().entries(e -> {
            String name = names.check(e);
            if (e.exactName() != null || e.exactLink() != null) {
                handler.exactBytes(name, e.exactName(), e.exactLink());
            }
            switch (e.kind()) {
                case DIR -> {
                    handler.directory(name, e.mode(), e.mtime());
                    listed(manifest, new Manifest.Entry(name, Manifest.Entry.DIR, null, mode(e), e.mtime()
                            .toString(), null, null));
                }
                case SYMLINK -> {
                    handler.symlink(name, e.linkTarget(), e.mtime());
                    listed(manifest, new Manifest.Entry(name, Manifest.Entry.SYMLINK, null, mode(e), e.mtime()
                            .toString(), null, e.linkTarget()));
                }
                case FILE, STREAM -> {
                    if ((e.mode() & 06000) != 0) {
                        handler.recordedOwner(name, e.uid(), e.gid());
                    }
                    String sha = content(name, e, handler.file(name, e.size(), e.mode(), e.mtime()));
                    handler.fileDone(name, e.mode(), e.mtime());
                    files[0]++;
                    listed(manifest, new Manifest.Entry(name, e.kind() == TreeEntry.Kind.STREAM
                            ? Manifest.Entry.STREAM : Manifest.Entry.FILE, e.size(), mode(e), e.mtime().toString(),
                            sha, null));
                }
                default -> throw new IllegalStateException("kind " + e.kind());
            }
        });
        if (files[0] != footer.files()) {
            throw FiresafeException.integrity("backup " + ref.id() + " holds " + files[0] + " files but its footer "
                    + "says " + footer.files() + ": damaged or not made by Firesafe");
        }
        handler.finish();
        return new ArchiveReader.Report(manifest, files[0], bytes.get());
    }

    private void listed(Manifest manifest, Manifest.Entry entry) {
        if (listEntries) {
            manifest.entries.add(entry);
        }
    }

    private static String mode(TreeEntry e) {
        return String.format("%04o", e.mode());
    }

    /** Writes the file's chunks to {@code out} and checks the whole against the recorded SHA-256. */
    private String content(String name, TreeEntry e, OutputStream out) throws IOException {
        sha256.reset();
        long written = 0;
        try (out) {
            for (ChunkRef c : e.chunks()) {
                ChunkLocation at = locate(c);
                ObjectReader.View block = object(at.objectId()).chunkBlock(at.blockOffset(), at.blockLength(),
                        blocks);
                if (at.offsetInBlock() < 0 || (long) at.offsetInBlock() + at.length() > block.length()) {
                    throw FiresafeException.integrity("'" + ArchivePaths.printable(name) + "' names a chunk outside "
                            + "its block in backup " + at.objectId() + ": damaged");
                }
                sha256.update(block.bytes(), at.offsetInBlock(), at.length());
                out.write(block.bytes(), at.offsetInBlock(), at.length());
                written += at.length();
                onBytes.accept(bytes.addAndGet(at.length()));
            }
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (written != e.size() || e.sha256() == null || !actual.equals(HexFormat.of().formatHex(e.sha256()))) {
            throw FiresafeException.integrity("'" + ArchivePaths.printable(name) + "' does not match its recorded "
                    + "size and SHA-256 (" + written + " bytes, " + actual + "): damaged or tampered with");
        }
        return actual;
    }

    /**
     * Where chunk {@code c} is now: where the tree says while the object it names is there; else, that object having
     * been rewritten by prune, in one of its generations, found by the chunk's id.
     */
    private ChunkLocation locate(ChunkRef c) throws IOException {
        String id = c.at().objectId();
        if (open.containsKey(id) || objects().containsKey(id)) {
            return c.at();
        }
        List<BackupCatalog.Ref> generations = listing.family(backup.plan(), id).generations();
        for (int g = generations.size() - 1; g >= 0; g--) {
            BackupCatalog.Ref gen = generations.get(g);
            ChunkTable table = generationIndexes.get(gen.id());
            if (table == null) {
                table = ChunkTable.of(object(gen.id()), gen.id());
                generationIndexes.put(gen.id(), table);
            }
            int i = table.find(c.id());
            if (i >= 0) {
                if (table.length(i) != c.at().length()) {
                    throw FiresafeException.integrity("chunk " + c.hex().substring(0, 12) + " of backup " + id
                            + " has another length in " + gen.objectName() + ": damaged");
                }
                return table.location(i);
            }
        }
        throw FiresafeException.integrity("this backup needs backup " + id + ", which is missing from "
                + store.describe() + (generations.isEmpty() ? " (deleted by hand?)" : " (its generations lack chunk "
                + c.hex().substring(0, 12) + ")") + "; backups that do not need it still restore");
    }

    /** Every object of the restored backup's plan by id (backups, removed ones, generations as {@code ID.gN}). */
    private Map<String, BackupCatalog.Ref> objects() throws IOException {
        if (listing == null) {
            listing = BackupCatalog.listing(store, backup.plan());
            for (BackupCatalog.Ref r : listing.objects()) {
                objects.put(r.id(), r);
            }
            for (BackupCatalog.Generation g : listing.generations()) {
                objects.put(g.object().id(), g.object());
            }
        }
        return objects;
    }

    private ObjectReader object(String id) throws IOException {
        if (id.equals(backup.id())) {
            return self.reader();
        }
        ChunkedObjects.Opened o = open.get(id);
        if (o != null) {
            return o.reader();
        }
        BackupCatalog.Ref ref = objects().get(id);
        if (ref == null) {
            throw FiresafeException.integrity("this backup needs backup " + id + ", which is missing from "
                    + store.describe() + " (deleted by hand?); backups that do not need it still restore");
        }
        if (open.size() >= OPEN_OBJECTS) {
            var eldest = open.entrySet().iterator().next();
            eldest.getValue().close();
            open.remove(eldest.getKey());
        }
        o = ChunkedObjects.open(store, ref, keys);
        open.put(id, o);
        return o.reader();
    }

    private static Manifest manifest(Footer f) {
        Manifest m = new Manifest();
        m.backupId = f.backupId();
        m.plan = f.plan();
        m.host = f.host();
        m.started = f.started();
        m.finished = f.finished();
        m.firesafeVersion = f.firesafeVersion();
        m.compression = "zstd";
        m.files = f.files();
        m.bytes = f.bytes();
        f.sources().forEach(s -> m.sources.add(new Manifest.SourceRoot(s.label(), s.origin())));
        f.warnings().forEach(w -> m.warnings.add(new Manifest.Warning(w.path(), w.problem())));
        return m;
    }

    /** Each name once, safe, not below a link of the backup and not below one of its files. */
    private static final class NameChecks {
        private final LinkGuard links = new LinkGuard();
        private final NameHashes seen = new NameHashes();

        String check(TreeEntry e) {
            String name = ArchivePaths.check(e.name());
            if (!seen.add(name, e.kind() == TreeEntry.Kind.DIR)) {
                throw FiresafeException.integrity("backup holds '" + ArchivePaths.printable(name) + "' twice");
            }
            for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
                if (seen.containsNonFolder(name.substring(0, slash))) {
                    throw FiresafeException.integrity("backup holds '" + ArchivePaths.printable(name) + "' below its "
                            + "file '" + ArchivePaths.printable(name.substring(0, slash)) + "': damaged or crafted");
                }
            }
            links.check(name, e.kind() == TreeEntry.Kind.SYMLINK, e.kind() == TreeEntry.Kind.DIR);
            if (e.exactName() != null && !FileNames.decode(e.exactName()).text().equals(name)) {
                throw FiresafeException.integrity("entry '" + ArchivePaths.printable(name) + "': its exact name bytes "
                        + "do not match its name; not made by Firesafe");
            }
            return name;
        }
    }

}
