package dev.firesafe.repository.wal;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.store.Store;

import javax.crypto.Mac;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One plan's PostgreSQL WAL archive on one store (issue #21): what {@code wal-push} (archive_command),
 * {@code wal-fetch} (restore_command), the streaming mode of {@code serve}, restore, verify and retention use.
 *
 * <h2>Layout</h2>
 * Each WAL file is one object, {@code PLAN/wal/TTTTTTTT/NAME}: {@code TTTTTTTT} is the timeline the name starts
 * with (so a file is found from its name alone, without a listing), {@code NAME} the file's name as PostgreSQL
 * gives it ({@link WalName}): segments, {@code TTTTTTTT.history}, {@code SEGMENT.OFFSET.backup}. A partial segment
 * ({@link #pushPartial}) is stored as versions {@code SEGMENT.partial.VVVVVVVVVVVVVVVV} (16 digits, the push time in
 * milliseconds), since its content grows. The backup catalog ignores all of these (they are below the plan's
 * folder), so listings, {@code verify all} and prune of backups never see them.
 *
 * <p>Per store: a local folder gets a folder per timeline; on S3 the names are keys (a listing of a plan's WAL is
 * paged, 1,000 keys a request); on GitHub each object is a file of its own, far below the Contents API's 100 MB,
 * listed in the store's index like a backup, and a push costs 4 requests (listing, index read, file, index), two of
 * them writes: GitHub's secondary limits (about 80 writes a minute, 500 an hour) cap archiving there at about 250
 * segments an hour, 4 GB of WAL with 16 MB segments.
 *
 * <h2>Object format</h2>
 * The backup file format ({@link BackupHeader}, then Tink streaming AEAD over the zstd-compressed file), version
 * {@link BackupHeader#FORMAT_WAL}, sealed by the same {@link EncryptionKey} as backups: the master key, or in
 * write-only mode a fresh data key per object wrapped for the recovery key (the pushing host cannot read what it
 * archived). The header's {@code backupId} is the object's last name component, so a renamed or swapped object
 * fails at fetch; {@code contentId} is the HMAC-SHA256 of the file under the {@link ContentKey} and
 * {@code contentSize} its length (both absent for partials).
 *
 * <h2>Idempotence</h2>
 * PostgreSQL calls archive_command again for a file whose earlier call it did not see succeed. {@link #push}
 * answers {@link Pushed#ALREADY_STORED} when the object exists with the same content: the same {@code contentId},
 * or (after a key rotation changed the content key) the same bytes once decrypted, where this process holds a
 * reading key. A different file under an existing name is refused with an integrity error and nothing is changed:
 * the archive never loses the file it has. Two pushes of one name at the same moment end the same way (the store's
 * commit never replaces; the loser compares).
 *
 * <p>Not thread-safe; one instance per run. Failures are {@link StoreIOException}s (the store) or
 * {@link FiresafeException}s (key, integrity); callers classify them with {@code core.Failures}.
 */
public final class WalArchive {

    /** What {@link #push} did. */
    public enum Pushed { STORED, ALREADY_STORED }

    /** What {@link #fetch} found. */
    public enum Fetched {
        /** The file itself. */
        FETCHED,
        /** The segment was not archived complete; its newest partial version was written instead. */
        PARTIAL,
        /** Nothing under that name (nor a partial): for restore_command, the end of the archive. */
        ABSENT
    }

    private static final String WAL_FOLDER = "/wal/";
    private static final long HEADER_RANGE = 13 + 64 * 1024;
    private static final int BUFFER = 256 * 1024;
    private static final Pattern PARTIAL_VERSION = Pattern.compile("([0-9A-F]{24}\\.partial)\\.([0-9]{16})");

    private final Store store;
    private final String plan;
    private final EncryptionKey sealer;
    private final ContentKey contentKey;
    private final Optional<KeyRing> readers;
    private final int compressionLevel;
    private final Clock clock;

    private WalArchive(Store store, String plan, EncryptionKey sealer, ContentKey contentKey,
                       Optional<KeyRing> readers, int compressionLevel, Clock clock) {
        this.store = store;
        this.plan = plan;
        this.sealer = sealer;
        this.contentKey = contentKey;
        this.readers = readers;
        this.compressionLevel = compressionLevel;
        this.clock = clock;
    }

    /**
     * An archive that pushes (and may read, if {@code readers} is given).
     *
     * @param sealer           what new objects are sealed with ({@code KeySource.forBackup()})
     * @param contentKey       names contents for idempotence ({@code KeySource.contentKey()})
     * @param readers          reading keys, if this process has any ({@code KeySource.forReadingIfAny()}): used to
     *                         compare contents whose ids differ, and by {@link #fetch}
     * @param compressionLevel zstd level ({@code firesafe.compression-level})
     */
    public static WalArchive forPushing(Store store, String plan, EncryptionKey sealer, ContentKey contentKey,
                                        Optional<KeyRing> readers, int compressionLevel, Clock clock) {
        return new WalArchive(store, plan, sealer, contentKey, readers, compressionLevel, clock);
    }

    /** An archive that lists, fetches and deletes, and never pushes. */
    public static WalArchive forReading(Store store, String plan, KeyRing keys) {
        return new WalArchive(store, plan, null, null, Optional.of(keys), 3, Clock.systemUTC());
    }

    /** An archive that only lists and deletes (retention, lag): needs no key at all. */
    public static WalArchive forListing(Store store, String plan) {
        return new WalArchive(store, plan, null, null, Optional.empty(), 3, Clock.systemUTC());
    }

    /** The prefix of every object of {@code plan}'s WAL archive: {@code PLAN/wal/}. */
    public static String prefix(String plan) {
        return plan + WAL_FOLDER;
    }

    /** The object that holds WAL file {@code name} (not for partials: see {@link #pushPartial}). */
    public static String objectName(String plan, WalName name) {
        return prefix(plan) + String.format("%08X", name.timeline()) + "/" + name.name();
    }

    public Store store() {
        return store;
    }

    public String plan() {
        return plan;
    }

    /**
     * Archives the WAL file at {@code file} under {@code name} (PostgreSQL's {@code %f}; {@code file} is its
     * {@code %p}). Returns once the object is durably committed, or when it was already there with the same
     * content. A different content under {@code name} is an integrity error, and so is a file that changed while
     * it was read (nothing is committed then).
     */
    public Pushed push(String name, Path file) throws IOException {
        WalName wal = WalName.parse(name);
        if (wal.kind() == WalName.Kind.PARTIAL) {
            pushPartial(wal.segmentName(), file);
            return Pushed.STORED;
        }
        requireWriter();
        String object = objectName(plan, wal);
        Digest digest = digest(file);
        if (exists(object)) {
            return compare(object, wal, file, digest);
        }
        ArchiveCipher.Sealing sealing = seal(wal.name(), digest);
        Store.Upload upload = store.create(object);
        try {
            writeBody(upload, sealing, file, digest);
            upload.commit();
            return Pushed.STORED;
        } catch (IOException | RuntimeException e) {
            upload.abort();
            if (!(e instanceof FiresafeException) && exists(object)) {
                return compare(object, wal, file, digest); // another push of the same name won the race
            }
            throw e;
        }
    }

    /**
     * Archives the current state of partial segment {@code segmentName} (without {@code .partial}) as a new version,
     * then deletes the older versions of it. Once the complete segment is pushed, {@link #removeSuperseded} (or
     * retention) deletes its partials. {@link #fetch} serves the newest version when the segment itself is absent.
     */
    public void pushPartial(String segmentName, Path file) throws IOException {
        requireWriter();
        WalName segment = WalName.parse(segmentName);
        if (segment.kind() != WalName.Kind.SEGMENT) {
            throw FiresafeException.usage("'" + segmentName + "' is not a segment name; a partial is pushed under "
                    + "the name of the segment it will become");
        }
        String versionName = segmentName + ".partial." + String.format("%016d", clock.millis());
        String object = prefix(plan) + String.format("%08X", segment.timeline()) + "/" + versionName;
        ArchiveCipher.Sealing sealing = sealer.seal(versionName, plan, clock.instant().toString(),
                Compression.ZSTD.id).withFormat(BackupHeader.FORMAT_WAL);
        Store.Upload upload = store.create(object);
        try {
            writeBody(upload, sealing, file, null);
            upload.commit();
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw e;
        }
        for (WalListing.Item older : list().partials()) {
            if (older.name().segmentName().equals(segmentName) && !older.objectName().equals(object)) {
                store.delete(older.objectName());
            }
        }
    }

    /**
     * Writes archived file {@code name} to {@code dest} (through a temporary file beside it, moved into place once
     * complete and authenticated; {@code dest} is replaced, as restore_command's {@code %p} must be). A segment
     * that was never archived complete is served from its newest partial version ({@link Fetched#PARTIAL}).
     * Absent: {@link Fetched#ABSENT} and {@code dest} untouched. A wrong key is a key error before anything is
     * written; a damaged object an integrity error.
     */
    public Fetched fetch(String name, Path dest) throws IOException {
        WalName wal = WalName.parse(name);
        String object = objectName(plan, wal);
        if (exists(object)) {
            copyOut(object, wal.name(), dest);
            return Fetched.FETCHED;
        }
        if (wal.kind() == WalName.Kind.SEGMENT) {
            Optional<WalListing.Item> partial = list().newestPartial(wal.name());
            if (partial.isPresent()) {
                String stored = partial.get().objectName();
                copyOut(stored, stored.substring(stored.lastIndexOf('/') + 1), dest);
                return Fetched.PARTIAL;
            }
        }
        return Fetched.ABSENT;
    }

    /**
     * Like {@link #fetch} for a file a listing showed: no existence check (one request less per file, which is what
     * a prefetch of the next segments wants).
     */
    public void fetch(WalListing.Item item, Path dest) throws IOException {
        String stored = item.objectName();
        copyOut(stored, stored.substring(stored.lastIndexOf('/') + 1), dest);
    }

    /**
     * The content of a small archived file ({@code .history}, {@code .backup}) as text; refuses one larger than
     * {@code maxBytes}, which is no such file.
     */
    public String readText(WalListing.Item item, int maxBytes) throws IOException {
        String stored = item.objectName();
        try (InputStream in = plaintext(stored, stored.substring(stored.lastIndexOf('/') + 1)).body()) {
            byte[] b = in.readNBytes(maxBytes + 1);
            if (b.length > maxBytes) {
                throw FiresafeException.integrity(stored + " in " + store.describe() + " is larger than a "
                        + item.name().kind().name().toLowerCase(java.util.Locale.ROOT) + " file can be");
            }
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Every archived file of this plan (one listing of the store). */
    public WalListing list() throws IOException {
        List<WalListing.Item> items = new ArrayList<>();
        String prefix = prefix(plan);
        for (Store.StoredObject o : store.list(prefix)) {
            String rest = o.name().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash != 8 || rest.indexOf('/', slash + 1) >= 0) {
                continue;
            }
            String file = rest.substring(slash + 1);
            Matcher partial = PARTIAL_VERSION.matcher(file);
            Optional<WalName> parsed = WalName.tryParse(partial.matches() ? partial.group(1) : file);
            parsed.filter(n -> String.format("%08X", n.timeline()).equals(rest.substring(0, 8)))
                    .ifPresent(n -> items.add(new WalListing.Item(n, o.name(), o.size())));
        }
        return new WalListing(items);
    }

    /**
     * The size of the cluster's WAL segments (its {@code wal_segment_size}), as the header of archived segment
     * {@code item} records it (one small ranged read).
     */
    public long segmentSize(WalListing.Item item) throws IOException {
        long size = header(item.objectName()).contentSize();
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw FiresafeException.integrity(item.objectName() + " in " + store.describe()
                    + " has a damaged header (segment size " + size + ")");
        }
        return size;
    }

    /** Deletes one archived file (retention; never a file a kept base backup needs: the caller decides). */
    public void delete(WalListing.Item item) throws IOException {
        store.delete(item.objectName());
    }

    /** Deletes the partial versions of segments that are archived complete; returns how many. */
    public int removeSuperseded(WalListing listing) throws IOException {
        int removed = 0;
        for (WalListing.Item p : listing.partials()) {
            if (listing.find(p.name().segmentName()).isPresent()) {
                store.delete(p.objectName());
                removed++;
            }
        }
        return removed;
    }

    // ---- internals

    private record Digest(String id, long size) {
    }

    private void requireWriter() {
        if (sealer == null) {
            throw new IllegalStateException("this WalArchive was opened for reading");
        }
    }

    private ArchiveCipher.Sealing seal(String storedName, Digest digest) {
        ArchiveCipher.Sealing s = sealer.seal(storedName, plan, clock.instant().toString(), Compression.ZSTD.id);
        return new ArchiveCipher.Sealing(s.header().withFormat(BackupHeader.FORMAT_WAL)
                .withContent(digest.id(), digest.size()), s.aead());
    }

    /** Compresses and encrypts {@code file} into the upload; checks the content against {@code expected} if given. */
    private void writeBody(Store.Upload upload, ArchiveCipher.Sealing sealing, Path file, Digest expected)
            throws IOException {
        Mac mac = expected == null ? null : contentKey.newMac();
        long size = 0;
        try (InputStream in = Files.newInputStream(file);
             OutputStream out = Compression.ZSTD.compress(ArchiveCipher.encrypt(upload.stream(), sealing),
                     compressionLevel, 0)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (mac != null) {
                    mac.update(buf, 0, n);
                }
                out.write(buf, 0, n);
                size += n;
            }
        }
        if (expected != null && (size != expected.size() || !HexFormat.of().formatHex(mac.doFinal())
                .equals(expected.id()))) {
            throw FiresafeException.integrity(file + " changed while it was archived; nothing was stored "
                    + "(PostgreSQL hands archive_command complete files only: is something else writing it?)");
        }
    }

    private Digest digest(Path file) throws IOException {
        Mac mac = contentKey.newMac();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                mac.update(buf, 0, n);
                size += n;
            }
        }
        return new Digest(HexFormat.of().formatHex(mac.doFinal()), size);
    }

    private boolean exists(String object) throws IOException {
        return store.list(object).stream().anyMatch(o -> o.name().equals(object));
    }

    private BackupHeader header(String object) throws IOException {
        try (InputStream in = store.open(object, 0, HEADER_RANGE)) {
            return BackupHeader.read(in, object + " in " + store.describe()).header();
        }
    }

    private Pushed compare(String object, WalName wal, Path file, Digest digest) throws IOException {
        BackupHeader existing = header(object);
        if (digest.id().equals(existing.contentId()) && digest.size() == existing.contentSize()) {
            return Pushed.ALREADY_STORED;
        }
        if (existing.contentSize() >= 0 && existing.contentSize() != digest.size()) {
            throw different(wal, object, file, "sizes differ: " + existing.contentSize() + " archived, "
                    + digest.size() + " given");
        }
        if (readers.isEmpty()) {
            throw different(wal, object, file, "its content id differs, and this host has no key that reads the "
                    + "archive to compare the bytes (write-only)");
        }
        if (!sameBytes(object, wal.name(), file)) {
            throw different(wal, object, file, "the bytes differ");
        }
        return Pushed.ALREADY_STORED;
    }

    private FiresafeException different(WalName wal, String object, Path file, String why) {
        return FiresafeException.integrity("refusing to archive " + file + " as " + wal.name() + ": "
                + store.describe() + " holds a different " + wal.name() + " (" + object + "; " + why + "). The "
                + "archived file is kept. Two clusters archiving into one plan? Give each its own --plan");
    }

    private boolean sameBytes(String object, String storedName, Path file) throws IOException {
        try (InputStream archived = plaintext(object, storedName).body();
             InputStream given = Files.newInputStream(file)) {
            byte[] a = new byte[BUFFER];
            byte[] b = new byte[BUFFER];
            while (true) {
                int n = archived.readNBytes(a, 0, BUFFER);
                int m = given.readNBytes(b, 0, BUFFER);
                if (n != m || !MessageDigest.isEqual(java.util.Arrays.copyOf(a, n), java.util.Arrays.copyOf(b, m))) {
                    return false;
                }
                if (n < BUFFER) {
                    return true;
                }
            }
        }
    }

    /** An archived file opened for reading: its (authenticated) header and its decompressed bytes. */
    private record Opened(BackupHeader header, InputStream body) {
    }

    private Opened plaintext(String object, String storedName) throws IOException {
        KeyRing keys = readers.orElseThrow(() -> FiresafeException.key("reading the WAL archive needs the master "
                + "key, or for write-only archives the recovery key, in FIRESAFE_MASTER_KEY or "
                + "FIRESAFE_MASTER_KEY_FILE"));
        InputStream raw = store.open(object);
        try {
            ArchiveCipher.Decrypted d = ArchiveCipher.decrypt(raw, keys, storedName, object + " in "
                    + store.describe());
            if (d.header().format() != BackupHeader.FORMAT_WAL) {
                throw FiresafeException.integrity(object + " in " + store.describe() + " is not an archived WAL "
                        + "file");
            }
            return new Opened(d.header(), Compression.byId(d.header().compression()).decompress(d.plaintext()));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private void copyOut(String object, String storedName, Path dest) throws IOException {
        Path dir = dest.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + dest.getFileName() + ".firesafe-tmp");
        Opened opened = plaintext(object, storedName);
        try (InputStream in = opened.body()) {
            long expected = opened.header().contentSize();
            long written = 0;
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[BUFFER];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    written += n;
                }
            }
            if (expected >= 0 && written != expected) {
                throw FiresafeException.integrity(object + " in " + store.describe() + " holds " + written
                        + " bytes, its header says " + expected);
            }
            try {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
