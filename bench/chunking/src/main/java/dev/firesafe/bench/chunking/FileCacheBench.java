package dev.firesafe.bench.chunking;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

/**
 * The per-host file cache: path -> (size, mtime, ctime, inode, chunk ids), for N files (1,000,000 by default). A
 * backup walks the tree in sorted order, looks every path up and writes the cache anew, so measured are: build (write
 * all entries in walk order) and walk (look every path up in walk order, comparing the attributes), in one process
 * per store:
 *
 * <pre>
 * java -Xmx... -cp ... dev.firesafe.bench.chunking.FileCacheBench --store sorted|sqlite|mvstore --files 1000000
 * </pre>
 *
 * Files: paths of 50-70 characters in a deep tree; 95 % one chunk id, 4 % three, 1 % forty (1.47 ids a file).
 * Prints: store, files, build/s, walk lookups/s, bytes on disk, heap after GC, VmHWM.
 */
public final class FileCacheBench {

    interface Cache extends AutoCloseable {
        void put(String path, long size, long mtime, long ctime, long ino, byte[] ids) throws Exception;

        void endBuild() throws Exception;

        /** Looks up {@code path} (called in sorted order); returns the number of chunk ids, or -1. */
        int lookup(String path, long[] attrs) throws Exception;

        long diskBytes() throws Exception;
    }

    static String path(int i) {
        return String.format(Locale.ROOT, "srv/data/user%02d/projects/p%03d/src/module%02d/File%07d.dat",
                i / 100_000, (i / 1000) % 100, (i / 50) % 20, i);
    }

    static int idCount(int i) {
        int r = Math.floorMod((int) IndexBench.mix(i), 100);
        return r == 0 ? 40 : r < 5 ? 3 : 1;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = ChunkingBench.options(args);
        String kind = o.get("store");
        int n = Integer.parseInt(o.getOrDefault("files", "1000000"));
        Path dir = Path.of(o.getOrDefault("dir", "/tmp/firesafe-filecache-bench"));
        IndexBench.deleteTree(dir);
        Files.createDirectories(dir);
        byte[][] idsBy = {new byte[32], new byte[96], new byte[40 * 32]};
        for (byte[] b : idsBy) {
            java.util.Arrays.fill(b, (byte) 7);
        }
        try (Cache c = switch (kind) {
            case "sorted" -> new SortedCache(dir);
            case "sqlite" -> new SqliteCache(dir);
            case "mvstore" -> new MvCache(dir);
            default -> throw new IllegalArgumentException("store: sorted|sqlite|mvstore");
        }) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int k = idCount(i);
                c.put(path(i), i * 37L, 1_700_000_000_000L + i, 1_700_000_000_000L + i, 1000L + i,
                        k == 1 ? idsBy[0] : k == 3 ? idsBy[1] : idsBy[2]);
            }
            c.endBuild();
            double build = (System.nanoTime() - t0) / 1e9;
            long[] a = new long[4];
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int k = c.lookup(path(i), a);
                if (k != idCount(i) || a[0] != i * 37L || a[3] != 1000L + i) {
                    throw new IllegalStateException("lookup " + i + " failed: " + k);
                }
            }
            double walk = (System.nanoTime() - t0) / 1e9;
            System.gc();
            Thread.sleep(200);
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long disk = c.diskBytes();
            long hwm = IndexBench.vmHwmKb();
            System.out.println(String.join("\t", "filecache-" + kind, Integer.toString(n), IndexBench.f(n / build),
                    IndexBench.f(n / walk), Long.toString(disk), Long.toString(heap), Long.toString(hwm * 1024),
                    Long.toString(Runtime.getRuntime().maxMemory())));
            System.err.printf(Locale.ROOT, "file cache %-8s %,d files: build %,.0f/s (%.1f s), walk %,.0f/s (%.1f s),"
                            + " disk %,d B, heap after GC %,d B, peak RSS %,d KiB%n", kind, n, n / build, build,
                    n / walk, walk, disk, heap, hwm);
        }
        IndexBench.deleteTree(dir);
    }

    /** One stream in walk order: written while walking, merge-joined with the walk the next time. */
    static final class SortedCache implements Cache {
        final Path file;
        DataOutputStream out;
        DataInputStream in;
        String cur;
        long[] curAttrs = new long[4];
        int curIds;
        byte[] skip = new byte[40 * 32];

        SortedCache(Path dir) throws Exception {
            file = dir.resolve("files.cache");
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        }

        @Override
        public void put(String path, long size, long mtime, long ctime, long ino, byte[] ids) throws Exception {
            out.writeUTF(path);
            out.writeLong(size);
            out.writeLong(mtime);
            out.writeLong(ctime);
            out.writeLong(ino);
            out.writeShort(ids.length / 32);
            out.write(ids);
        }

        @Override
        public void endBuild() throws Exception {
            out.close();
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            advance();
        }

        void advance() throws Exception {
            try {
                cur = in.readUTF();
                for (int i = 0; i < 4; i++) {
                    curAttrs[i] = in.readLong();
                }
                curIds = in.readUnsignedShort();
                in.readFully(skip, 0, curIds * 32);
            } catch (EOFException e) {
                cur = null;
            }
        }

        @Override
        public int lookup(String path, long[] attrs) throws Exception {
            while (cur != null && cur.compareTo(path) < 0) {
                advance();
            }
            if (cur == null || !cur.equals(path)) {
                return -1;
            }
            System.arraycopy(curAttrs, 0, attrs, 0, 4);
            int k = curIds;
            advance();
            return k;
        }

        @Override
        public long diskBytes() throws Exception {
            return Files.size(file);
        }

        @Override
        public void close() throws Exception {
            if (in != null) {
                in.close();
            }
        }
    }

    static byte[] value(long size, long mtime, long ctime, long ino, byte[] ids) {
        ByteBuffer b = ByteBuffer.allocate(32 + ids.length);
        b.putLong(size).putLong(mtime).putLong(ctime).putLong(ino).put(ids);
        return b.array();
    }

    static int decode(byte[] v, long[] attrs) {
        ByteBuffer b = ByteBuffer.wrap(v);
        for (int i = 0; i < 4; i++) {
            attrs[i] = b.getLong();
        }
        return (v.length - 32) / 32;
    }

    static final class SqliteCache implements Cache {
        final Path dir;
        final Connection c;
        final PreparedStatement ins;
        final PreparedStatement sel;
        long pending;

        SqliteCache(Path dir) throws Exception {
            this.dir = dir;
            c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("files.sqlite"));
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA cache_size=-16384");
                s.execute("CREATE TABLE files (path TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
            }
            c.setAutoCommit(false);
            ins = c.prepareStatement("INSERT INTO files VALUES (?, ?)");
            sel = c.prepareStatement("SELECT v FROM files WHERE path = ?");
        }

        @Override
        public void put(String path, long size, long mtime, long ctime, long ino, byte[] ids) throws Exception {
            ins.setString(1, path);
            ins.setBytes(2, value(size, mtime, ctime, ino, ids));
            ins.executeUpdate();
            if (++pending % 100_000 == 0) {
                c.commit();
            }
        }

        @Override
        public void endBuild() throws Exception {
            c.commit();
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            c.commit();
        }

        @Override
        public int lookup(String path, long[] attrs) throws Exception {
            sel.setString(1, path);
            try (ResultSet rs = sel.executeQuery()) {
                return rs.next() ? decode(rs.getBytes(1), attrs) : -1;
            }
        }

        @Override
        public long diskBytes() throws Exception {
            return IndexBench.dirBytes(dir);
        }

        @Override
        public void close() throws Exception {
            c.close();
        }
    }

    static final class MvCache implements Cache {
        final Path file;
        final MVStore store;
        final MVMap<String, byte[]> map;
        long pending;

        MvCache(Path dir) {
            file = dir.resolve("files.mv.db");
            store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().cacheSize(16).open();
            map = store.openMap("files");
        }

        @Override
        public void put(String path, long size, long mtime, long ctime, long ino, byte[] ids) {
            map.put(path, value(size, mtime, ctime, ino, ids));
            if (++pending % 100_000 == 0) {
                store.commit();
            }
        }

        @Override
        public void endBuild() {
            store.commit();
        }

        @Override
        public int lookup(String path, long[] attrs) {
            byte[] v = map.get(path);
            return v == null ? -1 : decode(v, attrs);
        }

        @Override
        public long diskBytes() throws Exception {
            store.commit();
            return Files.size(file);
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
