package dev.firesafe.repository.cache;

import com.google.crypto.tink.StreamingAead;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.io.DurableFiles;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.TreeEntry;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What this host knows of one plan's backups on one store, so that a backup need not read the store to find out:
 * the newest backup's files (size, times, inode, device, SHA-256, chunks: an unchanged file is not read again) and
 * where every chunk is (one already stored is referenced). One folder per host, plan and store under
 * {@code firesafe.cache-dir}; owner-only; the files list encrypted under a key derived from the content key.
 *
 * <p>It only ever says what a committed backup holds: it is written after the store committed, and at the start
 * of a backup it is checked against the store's listing (a backup it names that is gone, or a chunk in an object
 * that is gone or marked removed, is not used). Losing it, or a damaged one, costs reading and storing again,
 * never a wrong backup. A second process using the same folder at the same time finds it locked and does without.
 */
public final class LocalCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalCache.class);
    /** Files read ahead of the walk and kept until asked for, when the walk's order differs from the last one's. */
    private static final int LOOKAHEAD = 16_384;
    private static final int SCAN_PER_MISS = 256;

    private final Path dir;
    private final ContentKey key;
    private final FileChannel lockFile;
    private final FileLock lock;
    /**
     * The object numbers of the chunk records and the file list. The walk reads them while the writing thread
     * numbers the backup's own object (its file list names it): so concurrent collections, and numbering locked.
     */
    private final List<String> objects = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> objectNumbers = new ConcurrentHashMap<>();
    /** How many of {@link #objects} the object list on disk holds. */
    private int savedObjects;
    private final ChunkRecords records;
    private ChunkTable table = new ChunkTable();
    private String lastBackup;
    private String lastFull;
    private Set<String> present = Set.of();
    private FileListReader files;
    private final LinkedHashMap<String, TreeEntry> ahead = new LinkedHashMap<>();
    /** The entries waiting in {@link #ahead}, by file identity: how a renamed file or folder is recognised. */
    private final Map<FileIdentity, TreeEntry> aheadByIdentity = new HashMap<>();

    /** A file on this host: its device and inode number. */
    private record FileIdentity(long device, long inode) {
    }

    private LocalCache(Path dir, ContentKey key, FileChannel lockFile, FileLock lock) throws IOException {
        this.dir = dir;
        this.key = key;
        this.lockFile = lockFile;
        this.lock = lock;
        Properties state = new Properties();
        Path statePath = dir.resolve("state");
        if (Files.isRegularFile(statePath)) {
            try (InputStream in = Files.newInputStream(statePath)) {
                state.load(in);
            }
        }
        if (!key.fingerprint().equals(state.getProperty("contentKey"))) {
            clear(); // made under another key (rotated), or new: nothing in it can be used
        } else {
            lastBackup = state.getProperty("lastBackup");
            lastFull = state.getProperty("lastFull");
            Path objectsPath = dir.resolve("objects");
            if (Files.isRegularFile(objectsPath)) {
                for (String line : Files.readAllLines(objectsPath, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        number(line.strip());
                    }
                }
            }
        }
        savedObjects = objects.size();
        this.records = new ChunkRecords(dir.resolve("chunks"));
    }

    /**
     * The cache of {@code plan} on {@code store} (as {@code Store.describe()} names it), or empty when another
     * process is using it or it cannot be made.
     */
    public static Optional<LocalCache> open(Path root, String host, String plan, String store, ContentKey key) {
        Path dir = root.resolve(folderName(host, plan, store));
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = lockFile.tryLock();
            if (lock == null) {
                lockFile.close();
                LOG.infof("the local cache %s is in use by another backup; this one reads what it needs", dir);
                return Optional.empty();
            }
            return Optional.of(new LocalCache(dir, key, lockFile, lock));
        } catch (IOException | RuntimeException e) {
            LOG.infof("no local cache at %s (%s); this backup reads what it needs from the store", dir,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** A readable name with a hash that keeps host, plan and store apart. */
    static String folderName(String host, String plan, String store) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((host + "\0" + plan + "\0" + store)
                    .getBytes(StandardCharsets.UTF_8));
            return plan + "-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The backup whose files this cache lists, or null. */
    public String lastBackup() {
        return lastBackup;
    }

    /** The newest self-contained backup this host made on the store (one that depends on no other), or null. */
    public String lastFull() {
        return lastFull;
    }

    /**
     * Makes the cache answer for a store that holds {@code visible} backups (the listing, without removed ones):
     * chunks in other objects are not offered, and the files only if their backup is still there.
     */
    public boolean use(Set<String> visible) throws IOException {
        present = visible;
        table = new ChunkTable();
        closeFiles();
        ahead.clear();
        aheadByIdentity.clear();
        byte[] other = new byte[ChunkRef.ID_BYTES];
        records.scan((r, id, object) -> {
            if (r < Integer.MAX_VALUE && object >= 0 && object < objects.size()
                    && visible.contains(objects.get(object))) {
                byte[] key = id.clone();
                table.putNewest(key, (int) r, object, candidate -> sameRecord(candidate, key, other));
            }
        });
        Path filesPath = dir.resolve("files");
        if (lastBackup != null && visible.contains(lastBackup) && Files.isRegularFile(filesPath)) {
            try {
                files = new FileListReader(new DataInputStream(new BufferedInputStream(
                        cipher().newDecryptingStream(Files.newInputStream(filesPath), associatedData()), 256 * 1024)),
                        objects, dir.toString());
            } catch (GeneralSecurityException e) {
                files = null;
            }
        }
        return files != null;
    }

    private boolean sameRecord(int record, byte[] id, byte[] scratch) {
        try {
            records.read(record, scratch, new long[4]);
            return ChunkRecords.sameId(scratch, id);
        } catch (IOException e) {
            return false;
        }
    }

    /** Where chunk {@code id} is on the store, or null. */
    public ChunkLocation chunk(byte[] id) {
        return records.find(table, id, objects);
    }

    /**
     * Where the newest copy of chunk {@code c} is on the store, or null: {@code c}'s own location when the table
     * has the newest copy in {@code c}'s object (where a chunk is stored once), without reading its record. An
     * unchanged file's chunks are nearly always there, and reading each record cost ~7 us (a third of an
     * unchanged backup's walk). Should another id with the same first 12 bytes be the one in that object, the
     * answer is still {@code c}'s location, which stays valid (see engine.backup.PreviousBackups).
     */
    public ChunkLocation chunk(ChunkRef c) {
        Integer object = objectNumbers.get(c.at().objectId());
        if (object != null && table.tagged(c.id(), object)) {
            return c.at();
        }
        return chunk(c.id());
    }

    /**
     * The previous backup's entry of the file called {@code name}, or null. Called in walk order: the list is read
     * along with the walk, and entries the walk has not reached yet wait in a bounded look-ahead.
     */
    public TreeEntry previousFile(String name) {
        TreeEntry e = takeAhead(name);
        if (e != null || files == null) {
            return e;
        }
        for (int i = 0; i < SCAN_PER_MISS; i++) {
            TreeEntry next = next();
            if (next == null) {
                return null;
            }
            if (next.name().equals(name)) {
                return next;
            }
            putAhead(next);
        }
        return null;
    }

    /**
     * The previous backup's entry of the file called {@code name}, or else of a file with the same device and inode
     * under another name: a file whose folder was renamed (or that was moved) is then found without reading it
     * again. The caller still checks size, times and inode ({@link TreeEntry#sameFile}), as for a match by name.
     * Only entries in the look-ahead are found by identity, so a folder moved far in walk order is read again.
     */
    public TreeEntry previousFile(String name, long device, long inode) {
        TreeEntry byName = previousFile(name);
        if (byName != null || inode == 0) {
            return byName;
        }
        // left in the look-ahead: its own name may still come (a hard link of it that kept the old name)
        return aheadByIdentity.get(new FileIdentity(device, inode));
    }

    private TreeEntry takeAhead(String name) {
        TreeEntry e = ahead.remove(name);
        if (e != null) {
            aheadByIdentity.remove(new FileIdentity(e.device(), e.inode()), e);
        }
        return e;
    }

    private void putAhead(TreeEntry entry) {
        ahead.put(entry.name(), entry);
        if (entry.inode() != 0) {
            aheadByIdentity.put(new FileIdentity(entry.device(), entry.inode()), entry);
        }
        if (ahead.size() > LOOKAHEAD) {
            takeAhead(ahead.keySet().iterator().next());
        }
    }

    private TreeEntry next() {
        TreeEntry next = files.next();
        if (next == null) {
            closeFiles();
        }
        return next;
    }

    private void closeFiles() {
        if (files != null) {
            files.close();
        }
        files = null;
    }

    /** A new list of files, written as the backup runs; it replaces the old one once the backup is committed. */
    public final class FilesWriter implements AutoCloseable {
        private final Path temp;
        private final DataOutputStream out;

        private FilesWriter() throws IOException {
            temp = Files.createTempFile(dir, "files-", ".new");
            OutputStream raw = Files.newOutputStream(temp);
            try {
                out = new DataOutputStream(new BufferedOutputStream(cipher().newEncryptingStream(raw,
                        associatedData()), 256 * 1024));
            } catch (GeneralSecurityException e) {
                raw.close();
                throw new IOException("cannot encrypt the local cache", e);
            }
        }

        public void add(TreeEntry file) throws IOException {
            if (file.kind() == TreeEntry.Kind.FILE) {
                file.write(out, LocalCache.this::number);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        void discard() {
            try {
                out.close();
            } catch (IOException ignored) {
                // deleted below
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                LOG.debugf("cannot remove %s: %s", temp, e.getMessage());
            }
        }
    }

    public FilesWriter newFiles() throws IOException {
        return new FilesWriter();
    }

    /**
     * Backup {@code backupId} is committed on the store: its new chunks are recorded, its file list replaces the
     * old one, and the state names it ({@code full}: as the newest self-contained one too).
     */
    public void committed(String backupId, boolean full, FilesWriter newFiles, ChunkSource newChunks)
            throws IOException {
        try {
            commit(backupId, full, newFiles, newChunks);
        } catch (IOException | RuntimeException e) {
            newFiles.discard(); // its temporary file, unless it already replaced the list
            throw e;
        }
    }

    private void commit(String backupId, boolean full, FilesWriter newFiles, ChunkSource newChunks)
            throws IOException {
        newFiles.close();
        number(backupId);
        record(newChunks);
        saveObjects(); // the new file list numbers objects too
        Files.move(newFiles.temp, dir.resolve("files"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Properties state = new Properties();
        state.setProperty("contentKey", key.fingerprint());
        state.setProperty("lastBackup", backupId);
        String newestFull = full ? backupId : lastFull;
        if (newestFull != null) {
            state.setProperty("lastFull", newestFull);
        }
        Path temp = dir.resolve("state.new");
        try (OutputStream out = Files.newOutputStream(temp)) {
            state.store(out, "Firesafe's local cache: what this host knows of the store (safe to delete)");
        }
        Files.move(temp, dir.resolve("state"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        lastBackup = backupId;
        lastFull = newestFull;
    }

    /**
     * Starts the cache afresh from what a read of the store finds ({@code chunks}: every chunked backup's index,
     * oldest first, so the newest copy of a chunk wins; {@code files}: the newest backup's tree), as if that
     * backup had been made here. For a host whose cache was lost or is out of date, with the key that reads.
     */
    public void rebuild(String newestBackup, ChunkSource chunks, FileSource files) throws IOException {
        closeFiles();
        records.clear();
        record(chunks);
        FilesWriter writer = newFiles();
        files.forEach(writer::add);
        committed(newestBackup, false, writer, NONE);
    }

    /** Appends a record for each of {@code chunks}, in batches. */
    private void record(ChunkSource chunks) throws IOException {
        List<ChunkRef> batch = new ArrayList<>();
        chunks.forEach(c -> {
            batch.add(c);
            if (batch.size() >= 8192) {
                appendRecords(batch);
                batch.clear();
            }
        });
        appendRecords(batch);
    }

    /**
     * Appends chunk records, after the object list names every object they number: records on disk whose object
     * number the list lacks (a crash, a full disk between the two writes) would be read, by the next run that
     * numbers another object so, as that object's chunks.
     */
    private void appendRecords(List<ChunkRef> batch) throws IOException {
        for (ChunkRef c : batch) {
            number(c.at().objectId());
        }
        saveObjects();
        if (!batch.isEmpty()) {
            records.append(batch, this::number);
        }
    }

    /** Writes the object list when it has grown since it was last written (only ever appended to). */
    private void saveObjects() throws IOException {
        if (objects.size() == savedObjects) {
            return;
        }
        Path temp = dir.resolve("objects.new");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            // on disk before the records that number its objects (forced too: ChunkRecords), the rename with it
            DurableFiles.writeForced(out, (String.join("\n", objects) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.move(temp, dir.resolve("objects"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncFolder(dir);
        savedObjects = objects.size();
    }

    /** Chunks to record: a store's backups as a read of it finds them, or the ones a backup stored. */
    public interface ChunkSource {
        void forEach(ChunkConsumer consumer) throws IOException;
    }

    /** No chunks. */
    public static final ChunkSource NONE = consumer -> { };

    /** Takes chunks one by one. */
    public interface ChunkConsumer {
        void accept(ChunkRef chunk) throws IOException;
    }

    /** The newest backup's entries, as a read of the store finds them. */
    public interface FileSource {
        void forEach(dev.firesafe.repository.format.ObjectReader.EntryVisitor visitor) throws IOException;
    }

    /** The run failed on this store: its file list is dropped, the cache stays as it was. */
    public void failed(FilesWriter newFiles) {
        newFiles.discard();
    }

    private synchronized int number(String objectId) {
        return objectNumbers.computeIfAbsent(objectId, id -> {
            objects.add(id);
            return objects.size() - 1;
        });
    }

    private StreamingAead cipher() {
        return key.cacheCipher();
    }

    private byte[] associatedData() {
        return ("firesafe cache " + dir.getFileName()).getBytes(StandardCharsets.UTF_8);
    }

    private void clear() throws IOException {
        for (String name : List.of("state", "objects", "files", "chunks")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        lastBackup = null;
        objects.clear();
        objectNumbers.clear();
        savedObjects = 0;
    }

    @Override
    public void close() {
        closeFiles();
        try {
            records.close();
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            LOG.debugf("closing the local cache %s: %s", dir, e.getMessage());
        }
    }
}
