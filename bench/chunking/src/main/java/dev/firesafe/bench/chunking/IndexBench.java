package dev.firesafe.bench.chunking;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The per-target chunk index: 32-byte chunk id -> (pack object id int, offset long, stored length int, raw length
 * int), 52 bytes of payload an entry. One store and one size per process, so that heap and peak RSS belong to it:
 *
 * <pre>
 * java -Xmx... -cp ... dev.firesafe.bench.chunking.IndexBench --store memory|mvstore|sqlite|sorted
 *      --entries 1000000 --lookups 1000000 --dir DIR
 * </pre>
 *
 * Ids are pseudo-random (as keyed hashes are), entry i's id and value are functions of i, so lookups need no stored
 * list: hits look up random i < N, misses random i >= N. Prints one TSV line:
 * store, entries, insert/s, hit lookups/s, miss lookups/s, reopen s, bytes on disk, heap used after GC, heap
 * committed, VmHWM, max heap.
 */
public final class IndexBench {

    static final int ID = 32;
    static final int ENTRY = 52;

    interface Store extends AutoCloseable {
        void put(byte[] id, int pack, long offset, int stored, int raw) throws Exception;

        /** Fills {@code out} with (pack, offset, stored, raw) and returns true, or false when absent. */
        boolean get(byte[] id, long[] out) throws Exception;

        /** Makes the inserted entries durable and readable (end of a backup). */
        void flush() throws Exception;

        /** Closes and opens again from disk (a new backup run). */
        void reopen() throws Exception;

        long diskBytes() throws IOException;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = ChunkingBench.options(args);
        String kind = o.get("store");
        long n = Long.parseLong(o.getOrDefault("entries", "1000000"));
        int lookups = Integer.parseInt(o.getOrDefault("lookups", "1000000"));
        Path dir = Path.of(o.getOrDefault("dir", "/tmp/firesafe-index-bench"));
        deleteTree(dir);
        Files.createDirectories(dir);

        byte[] id = new byte[ID];
        long[] v = new long[4];
        boolean sortedBatches = o.getOrDefault("order", "random").equals("batch-sorted");
        try (Store s = open(kind, dir, n)) {
            long t0 = System.nanoTime();
            if (sortedBatches) {
                // as a backup would insert its new chunks: a batch of 262,144 at a time, sorted by id
                int batch = 1 << 18;
                byte[] ids = new byte[batch * ID];
                Integer[] order = new Integer[batch];
                long[] which = new long[batch];
                for (long i0 = 0; i0 < n; i0 += batch) {
                    int m = (int) Math.min(batch, n - i0);
                    for (int k = 0; k < m; k++) {
                        idOf(i0 + k, id);
                        System.arraycopy(id, 0, ids, k * ID, ID);
                        which[k] = i0 + k;
                        order[k] = k;
                    }
                    Arrays.sort(order, 0, m, (x, y) -> Arrays.compareUnsigned(ids, x * ID, x * ID + ID, ids, y * ID,
                            y * ID + ID));
                    for (int k = 0; k < m; k++) {
                        long i = which[order[k]];
                        System.arraycopy(ids, order[k] * ID, id, 0, ID);
                        s.put(id, (int) (i >>> 10), i * 700_000L, (int) (i % 900_000) + 1, (int) (i % 1_000_000) + 2);
                    }
                }
            } else {
                for (long i = 0; i < n; i++) {
                    idOf(i, id);
                    s.put(id, (int) (i >>> 10), i * 700_000L, (int) (i % 900_000) + 1, (int) (i % 1_000_000) + 2);
                }
            }
            s.flush();
            double insertS = (System.nanoTime() - t0) / 1e9;

            long reopenT = System.nanoTime();
            s.reopen();
            double reopenS = (System.nanoTime() - reopenT) / 1e9;

            SplittableRandom r = new SplittableRandom(99);
            // warm-up pass (not timed), then timed hits
            for (int k = 0; k < Math.min(lookups, 100_000); k++) {
                idOf(r.nextLong(n), id);
                s.get(id, v);
            }
            t0 = System.nanoTime();
            for (int k = 0; k < lookups; k++) {
                long i = r.nextLong(n);
                idOf(i, id);
                if (!(s.get(id, v) || s instanceof NoStore) || (!(s instanceof NoStore) && (v[1] != i * 700_000L
                        || v[3] != (i % 1_000_000) + 2))) {
                    throw new IllegalStateException("lookup of entry " + i + " failed");
                }
            }
            double hitS = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            for (int k = 0; k < lookups; k++) {
                idOf(n + r.nextLong(n), id);
                if (s.get(id, v)) {
                    throw new IllegalStateException("phantom hit");
                }
            }
            double missS = (System.nanoTime() - t0) / 1e9;
            System.gc();
            Thread.sleep(200);
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            long heap = mem.getHeapMemoryUsage().getUsed();
            long committed = mem.getHeapMemoryUsage().getCommitted();
            long disk = s.diskBytes();
            long hwm = vmHwmKb();
            String line = String.join("\t", kind + (sortedBatches ? "/batch-sorted" : ""), Long.toString(n), f(n / insertS), f(lookups / hitS),
                    f(lookups / missS), String.format(Locale.ROOT, "%.2f", reopenS), Long.toString(disk),
                    Long.toString(heap), Long.toString(committed), Long.toString(hwm * 1024),
                    Long.toString(Runtime.getRuntime().maxMemory()));
            System.out.println(line);
            System.err.printf(Locale.ROOT, "%-8s %,11d entries: insert %,10.0f/s, hits %,10.0f/s, misses %,10.0f/s,"
                            + " reopen %.2f s, disk %,d B, heap after GC %,d B (committed %,d B), peak RSS %,d KiB (Xmx %,d MiB)%n",
                    kind, n, n / insertS, lookups / hitS, lookups / missS, reopenS, disk, heap, committed, hwm,
                    Runtime.getRuntime().maxMemory() >> 20);
        }
        deleteTree(dir);
    }

    static Store open(String kind, Path dir, long n) throws Exception {
        return switch (kind) {
            case "memory" -> new MemoryStore(dir, n);
            case "mvstore" -> new MvStore(dir);
            case "sqlite" -> new SqliteStore(dir);
            case "sorted" -> new SortedFileStore(dir);
            case "none" -> new NoStore();
            default -> throw new IllegalArgumentException("store: memory|mvstore|sqlite|sorted");
        };
    }

    /** Entry i's id: 32 pseudo-random bytes (SplitMix64 of 4i..4i+3). */
    static void idOf(long i, byte[] id) {
        for (int k = 0; k < 4; k++) {
            long z = mix(i * 4 + k);
            for (int j = 0; j < 8; j++) {
                id[k * 8 + j] = (byte) (z >>> (56 - 8 * j));
            }
        }
    }

    static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long vmHwmKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static long dirBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Generates ids and values only: the cost of the bench loop itself, and the JVM's RSS without a store. */
    static final class NoStore implements Store {
        long seen;

        @Override
        public void put(byte[] id, int pack, long offset, int stored, int raw) {
            seen += id[5] + offset;
        }

        @Override
        public boolean get(byte[] id, long[] out) {
            seen += id[3];
            return false;
        }

        @Override
        public void flush() {
        }

        @Override
        public void reopen() {
        }

        @Override
        public long diskBytes() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    // ---- (a) open addressing in one int[] ---------------------------------------------------------------------

    /**
     * Linear probing over one int[] of 13-int slots (id 8 ints, pack+1, offset 2 ints, stored, raw); pack+1 = 0
     * marks a free slot. Load factor 0.8; the slot comes from the id's first 8 bytes (ids are keyed hashes, so
     * uniform). Persisted as the raw array (reopen = one read), as a backup would keep it between runs.
     */
    static final class MemoryStore implements Store {
        static final int W = 13;
        final Path file;
        int cap;
        int[] d;
        long size;

        MemoryStore(Path dir, long expected) {
            this.file = dir.resolve("index.bin");
            this.cap = (int) Math.max(16, expected * 10 / 8);
            this.d = new int[Math.multiplyExact(cap, W)];
        }

        int slot(byte[] id) {
            long h = ByteBuffer.wrap(id, 0, 8).getLong();
            return (int) Math.floorMod(h, (long) cap);
        }

        static int i32(byte[] b, int o) {
            return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
        }

        boolean same(int base, byte[] id) {
            for (int k = 0; k < 8; k++) {
                if (d[base + k] != i32(id, k * 4)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void put(byte[] id, int pack, long offset, int stored, int raw) {
            if ((size + 1) * 10 > (long) cap * 9) {
                throw new IllegalStateException("table full (grow not measured)");
            }
            int s = slot(id);
            while (true) {
                int base = s * W;
                if (d[base + 8] == 0) {
                    for (int k = 0; k < 8; k++) {
                        d[base + k] = i32(id, k * 4);
                    }
                    d[base + 8] = pack + 1;
                    d[base + 9] = (int) (offset >>> 32);
                    d[base + 10] = (int) offset;
                    d[base + 11] = stored;
                    d[base + 12] = raw;
                    size++;
                    return;
                }
                if (same(base, id)) {
                    return;
                }
                s = s + 1 == cap ? 0 : s + 1;
            }
        }

        @Override
        public boolean get(byte[] id, long[] out) {
            int s = slot(id);
            while (true) {
                int base = s * W;
                if (d[base + 8] == 0) {
                    return false;
                }
                if (same(base, id)) {
                    out[0] = d[base + 8] - 1;
                    out[1] = ((long) d[base + 9] << 32) | (d[base + 10] & 0xffffffffL);
                    out[2] = d[base + 11];
                    out[3] = d[base + 12];
                    return true;
                }
                s = s + 1 == cap ? 0 : s + 1;
            }
        }

        @Override
        public void flush() throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < d.length; ) {
                    b.clear();
                    int n = Math.min(d.length - i, b.capacity() / 4);
                    b.asIntBuffer().put(d, i, n);
                    b.limit(n * 4);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    i += n;
                }
                ch.force(false);
            }
        }

        @Override
        public void reopen() throws IOException {
            d = null;
            int[] nd = new int[Math.multiplyExact(cap, W)];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                int i = 0;
                while (i < nd.length) {
                    b.clear();
                    int want = Math.min(nd.length - i, b.capacity() / 4) * 4;
                    b.limit(want);
                    while (b.hasRemaining()) {
                        if (ch.read(b) < 0) {
                            throw new IOException("short index file");
                        }
                    }
                    b.flip();
                    b.asIntBuffer().get(nd, i, want / 4);
                    i += want / 4;
                }
            }
            d = nd;
        }

        @Override
        public long diskBytes() throws IOException {
            return Files.size(file);
        }

        @Override
        public void close() {
            d = null;
        }
    }

    // ---- (b) H2 MVStore -------------------------------------------------------------------------------------------

    static final class MvStore implements Store {
        final Path file;
        MVStore store;
        MVMap<byte[], byte[]> map;
        long pending;

        MvStore(Path dir) {
            this.file = dir.resolve("index.mv.db");
            openStore();
        }

        void openStore() {
            // auto-commit by the background writer when 4 MiB of changes are buffered (default 1 MiB: with random
            // keys every commit rewrites most leaf pages); 16 MiB page cache; no retention of old versions, so
            // that the space of dead pages can be reused at once (default 45 s)
            store = new MVStore.Builder().fileName(file.toString()).cacheSize(16).autoCommitBufferSize(4096).open();
            store.setRetentionTime(0);
            map = store.openMap("chunks", new MVMap.Builder<byte[], byte[]>()
                    .keyType(org.h2.mvstore.type.ByteArrayDataType.INSTANCE)
                    .valueType(org.h2.mvstore.type.ByteArrayDataType.INSTANCE));
        }

        @Override
        public void put(byte[] id, int pack, long offset, int stored, int raw) {
            byte[] v = new byte[20];
            ByteBuffer.wrap(v).putInt(pack).putLong(offset).putInt(stored).putInt(raw);
            map.put(id.clone(), v);
        }

        @Override
        public boolean get(byte[] id, long[] out) {
            byte[] v = map.get(id);
            if (v == null) {
                return false;
            }
            ByteBuffer b = ByteBuffer.wrap(v);
            out[0] = b.getInt();
            out[1] = b.getLong();
            out[2] = b.getInt();
            out[3] = b.getInt();
            return true;
        }

        @Override
        public void flush() {
            store.commit();
        }

        @Override
        public void reopen() throws IOException {
            long before = Files.size(file);
            store.close(); // closing compacts for up to 200 ms by default
            MVStore.Builder b = new MVStore.Builder().fileName(file.toString()).cacheSize(16);
            store = b.open();
            store.setRetentionTime(0);
            store.compactFile(60_000); // append-only file: dead pages of earlier commits make it large
            store.close();
            System.err.printf(Locale.ROOT, "mvstore file: %,d B before compaction, %,d B after%n", before,
                    Files.size(file));
            openStore();
        }

        @Override
        public long diskBytes() throws IOException {
            store.commit();
            return Files.size(file);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    // ---- (c) SQLite (sqlite-jdbc) ---------------------------------------------------------------------------------

    static final class SqliteStore implements Store {
        final Path file;
        Connection c;
        PreparedStatement ins;
        PreparedStatement sel;
        long pending;

        SqliteStore(Path dir) throws Exception {
            this.file = dir.resolve("index.sqlite");
            openDb();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE chunks (id BLOB PRIMARY KEY, pack INTEGER NOT NULL, off INTEGER NOT NULL,"
                        + " stored INTEGER NOT NULL, raw INTEGER NOT NULL) WITHOUT ROWID");
            }
            prepare();
        }

        void openDb() throws Exception {
            c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA cache_size=-16384"); // 16 MiB of page cache, like MVStore's
            }
            c.setAutoCommit(false);
        }

        void prepare() throws Exception {
            ins = c.prepareStatement("INSERT OR IGNORE INTO chunks VALUES (?, ?, ?, ?, ?)");
            sel = c.prepareStatement("SELECT pack, off, stored, raw FROM chunks WHERE id = ?");
        }

        @Override
        public void put(byte[] id, int pack, long offset, int stored, int raw) throws Exception {
            ins.setBytes(1, id);
            ins.setInt(2, pack);
            ins.setLong(3, offset);
            ins.setInt(4, stored);
            ins.setInt(5, raw);
            ins.executeUpdate();
            if (++pending % 100_000 == 0) {
                c.commit();
            }
        }

        @Override
        public boolean get(byte[] id, long[] out) throws Exception {
            sel.setBytes(1, id);
            try (ResultSet rs = sel.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                out[0] = rs.getInt(1);
                out[1] = rs.getLong(2);
                out[2] = rs.getInt(3);
                out[3] = rs.getInt(4);
                return true;
            }
        }

        @Override
        public void flush() throws Exception {
            c.commit();
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            c.commit();
        }

        @Override
        public void reopen() throws Exception {
            ins.close();
            sel.close();
            c.close();
            openDb();
            prepare();
        }

        @Override
        public long diskBytes() throws IOException {
            return dirBytes(file.getParent());
        }

        @Override
        public void close() throws Exception {
            c.close();
        }
    }

    // ---- (d) sorted file + sparse in-memory index -----------------------------------------------------------------

    /**
     * Entries sorted by id in one file of 52-byte records, in 4 KiB blocks of 78 records (the last 40 bytes of a
     * block unused, so a record never spans blocks). In memory: the first 8 id bytes of each block's first record
     * (8 bytes per 78 entries). A lookup is a binary search there, one positioned read of the block (page cache),
     * and a binary search in the block. Inserts go to an in-memory run; at flush the runs (sorted, spilled every
     * {@value #RUN} entries) are merged with the existing file into a new file: what the end of a backup would do.
     */
    static final class SortedFileStore implements Store {
        static final int BLOCK = 4096;
        static final int PER_BLOCK = BLOCK / ENTRY;
        static final int RUN = 1 << 18;
        final Path dir;
        final Path file;
        byte[] run = new byte[RUN * ENTRY];
        int runCount;
        final List<Path> spills = new ArrayList<>();
        long[] sparse = new long[0];
        long count;
        FileChannel ch;
        final ByteBuffer blk = ByteBuffer.allocateDirect(BLOCK);
        final byte[] blkArr = new byte[BLOCK];

        SortedFileStore(Path dir) {
            this.dir = dir;
            this.file = dir.resolve("index.sorted");
        }

        @Override
        public void put(byte[] id, int pack, long offset, int stored, int raw) throws IOException {
            int o = runCount * ENTRY;
            System.arraycopy(id, 0, run, o, ID);
            ByteBuffer.wrap(run, o + ID, 20).putInt(pack).putLong(offset).putInt(stored).putInt(raw);
            if (++runCount == RUN) {
                spill();
            }
        }

        void spill() throws IOException {
            Integer[] idx = new Integer[runCount];
            for (int i = 0; i < runCount; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (x, y) -> Arrays.compareUnsigned(run, x * ENTRY, x * ENTRY + ID, run, y * ENTRY,
                    y * ENTRY + ID));
            Path p = dir.resolve("run-" + spills.size());
            try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(p), 1 << 16)) {
                for (Integer i : idx) {
                    out.write(run, i * ENTRY, ENTRY);
                }
            }
            spills.add(p);
            runCount = 0;
        }

        @Override
        public void flush() throws IOException {
            if (runCount > 0) {
                spill();
            }
            if (ch != null) {
                ch.close();
                ch = null;
                Path old = dir.resolve("index.old");
                Files.move(file, old);
                spills.add(old); // the old file is one more sorted input (blocked: see reader)
            }
            merge();
            for (Path p : spills) {
                Files.deleteIfExists(p);
            }
            spills.clear();
            openFile();
        }

        /** k-way merge of the sorted inputs into the blocked file. */
        void merge() throws IOException {
            record Head(RecordReader r, byte[] rec) {
            }
            PriorityQueue<Head> q = new PriorityQueue<>((x, y) -> Arrays.compareUnsigned(x.rec, 0, ID, y.rec, 0, ID));
            for (Path p : spills) {
                RecordReader r = new RecordReader(p, p.getFileName().toString().equals("index.old"));
                byte[] rec = r.next();
                if (rec != null) {
                    q.add(new Head(r, rec));
                }
            }
            List<Long> firsts = new ArrayList<>();
            long n = 0;
            byte[] last = null;
            try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                byte[] pad = new byte[BLOCK - PER_BLOCK * ENTRY];
                int inBlock = 0;
                while (!q.isEmpty()) {
                    Head h = q.poll();
                    byte[] rec = h.rec;
                    if (last == null || Arrays.compareUnsigned(last, 0, ID, rec, 0, ID) != 0) {
                        if (inBlock == 0) {
                            firsts.add(ByteBuffer.wrap(rec, 0, 8).getLong());
                        }
                        out.write(rec);
                        n++;
                        if (++inBlock == PER_BLOCK) {
                            out.write(pad);
                            inBlock = 0;
                        }
                        last = rec;
                    }
                    byte[] nx = h.r.next();
                    if (nx != null) {
                        q.add(new Head(h.r, nx));
                    } else {
                        h.r.close();
                    }
                }
            }
            count = n;
            sparse = firsts.stream().mapToLong(Long::longValue).toArray();
        }

        void openFile() throws IOException {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        }

        @Override
        public boolean get(byte[] id, long[] out) throws IOException {
            if (count == 0) {
                return false;
            }
            long key = ByteBuffer.wrap(id, 0, 8).getLong();
            // last block whose first key <= key (unsigned)
            int lo = 0;
            int hi = sparse.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (Long.compareUnsigned(sparse[mid], key) <= 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            // equal 8-byte prefixes may continue from the previous block: rare, handled by checking it too
            for (int b = lo; b >= 0; b--) {
                int found = searchBlock(b, id, out);
                if (found >= 0) {
                    return true;
                }
                if (found == -1 || b == 0 || sparse[b] != key) {
                    return false;
                }
            }
            return false;
        }

        /** 1: found; -1: absent and not before this block; -2: smaller than every entry of this block. */
        int searchBlock(int b, byte[] id, long[] out) throws IOException {
            long recs = Math.min(PER_BLOCK, count - (long) b * PER_BLOCK);
            blk.clear();
            blk.limit((int) (recs * ENTRY));
            long pos = (long) b * BLOCK;
            while (blk.hasRemaining()) {
                int r = ch.read(blk, pos + blk.position());
                if (r < 0) {
                    throw new IOException("short read");
                }
            }
            blk.flip();
            blk.get(blkArr, 0, (int) (recs * ENTRY));
            int lo = 0;
            int hi = (int) recs - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Arrays.compareUnsigned(blkArr, mid * ENTRY, mid * ENTRY + ID, id, 0, ID);
                if (c == 0) {
                    ByteBuffer v = ByteBuffer.wrap(blkArr, mid * ENTRY + ID, 20);
                    out[0] = v.getInt();
                    out[1] = v.getLong();
                    out[2] = v.getInt();
                    out[3] = v.getInt();
                    return 1;
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return lo == 0 ? -2 : -1;
        }

        @Override
        public void reopen() throws IOException {
            // the sparse index is rebuilt by reading the first 8 bytes of every block
            ch.close();
            run = new byte[RUN * ENTRY]; // the insert buffer of the next backup
            openFile();
            long blocks = (count + PER_BLOCK - 1) / PER_BLOCK;
            long[] s = new long[(int) blocks];
            ByteBuffer b8 = ByteBuffer.allocate(8);
            for (int i = 0; i < blocks; i++) {
                b8.clear();
                ch.read(b8, (long) i * BLOCK);
                b8.flip();
                s[i] = b8.getLong();
            }
            sparse = s;
        }

        @Override
        public long diskBytes() throws IOException {
            return Files.size(file);
        }

        @Override
        public void close() throws IOException {
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** Reads 52-byte records from a run file, or from a blocked index file (skipping block padding). */
    static final class RecordReader implements AutoCloseable {
        final java.io.InputStream in;
        final boolean blocked;
        int inBlock;

        RecordReader(Path p, boolean blocked) throws IOException {
            this.in = new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 16);
            this.blocked = blocked;
        }

        byte[] next() throws IOException {
            byte[] r = in.readNBytes(ENTRY);
            if (r.length < ENTRY) {
                return null;
            }
            if (blocked && ++inBlock == SortedFileStore.PER_BLOCK) {
                in.skipNBytes(SortedFileStore.BLOCK - SortedFileStore.PER_BLOCK * ENTRY);
                inBlock = 0;
            }
            return r;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
