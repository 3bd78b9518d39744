package dev.firesafe.bench.chunking;

import com.github.luben.zstd.Zstd;
import dev.firesafe.chunking.ChunkReader;
import dev.firesafe.chunking.Chunker;
import dev.firesafe.chunking.ChunkerParams;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Issue #20 scenario (c) with every candidate min/avg/max: backup 1 chunks all of srcA; backup 2 re-reads only the
 * files of srcB whose (path, size, mtime, ctime, inode) differ from srcA (what the per-host file cache does) and
 * counts the chunks the first backup did not have: their bytes raw and compressed one by one with zstd level 3 (as
 * a pack stores them). Then the boundary search alone, in memory, over a sample of the tree.
 *
 * <pre>
 * java -cp ... dev.firesafe.bench.chunking.ChunkingBench --a WORK/srcA --b WORK/srcB --renamed DIR
 *      --params 128K/512K/2M,256K/1M/4M,512K/1M/8M,512K/2M/8M --algorithms gear,aes --sample-mb 512 --out DIR
 * </pre>
 */
public final class ChunkingBench {

    record Entry(String path, long size, long mtime, long ctime, long ino) {
    }

    record Id(long a, long b) {
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        Path a = Path.of(o.get("a"));
        List<Path> bs = new ArrayList<>();
        for (String x : o.get("b").split(",")) {
            bs.add(Path.of(x));
        }
        String renamed = o.getOrDefault("renamed", "");
        List<Set<String>> changed = new ArrayList<>();
        for (Path b : bs) {
            Path list = Path.of(b + ".changed.txt");
            changed.add(Files.exists(list) ? new HashSet<>(Files.readAllLines(list)) : Set.of());
        }
        List<ChunkerParams> params = new ArrayList<>();
        for (String alg : o.getOrDefault("algorithms", "gear").split(",")) {
            ChunkerParams.Algorithm al = alg.equals("aes") ? ChunkerParams.Algorithm.TOEPLITZ_AES
                    : ChunkerParams.Algorithm.GEAR_KEYED;
            for (String s : o.getOrDefault("params", "512K/1M/8M").split(",")) {
                params.add(ChunkerParams.parse(s).withAlgorithm(al));
            }
        }
        int sampleMb = Integer.parseInt(o.getOrDefault("sample-mb", "512"));
        int reps = Integer.parseInt(o.getOrDefault("reps", "5"));
        Path out = Path.of(o.getOrDefault("out", "."));
        Files.createDirectories(out);
        byte[] secret = new byte[32];
        new Random(2026).nextBytes(secret);

        List<Entry> filesA = walk(a);
        Map<String, Entry> cache = new HashMap<>();
        for (Entry e : filesA) {
            cache.put(e.path, e);
        }
        long bytesA = filesA.stream().mapToLong(Entry::size).sum();
        PrintStream log = System.err;
        List<List<Entry>> rereads = new ArrayList<>();
        for (Path b : bs) {
            List<Entry> filesB = walk(b);
            List<Entry> reread = new ArrayList<>();
            for (Entry e : filesB) {
                Entry old = cache.get(e.path);
                if (old == null || old.size != e.size || old.mtime != e.mtime || old.ctime != e.ctime
                        || old.ino != e.ino) {
                    reread.add(e);
                }
            }
            rereads.add(reread);
            log.printf(Locale.ROOT, "srcA: %,d files, %,d bytes; %s: %,d files; backup 2 re-reads %,d files, %,d bytes"
                            + " (the renamed folder included)%n", filesA.size(), bytesA, b.getFileName(), filesB.size(),
                    reread.size(), reread.stream().mapToLong(Entry::size).sum());
        }

        List<String> rows = new ArrayList<>();
        rows.add(String.join("\t", "params", "chunks", "mean_chunk", "mean_chunk_multi", "median_chunk_big", "chunks_at_max",
                "files_lt_min", "files_one_chunk", "chunks_per_gib", "new_chunks", "new_bytes", "new_bytes_zstd3",
                "new_bytes_changed_files", "new_bytes_new_files", "new_bytes_db", "new_bytes_renamed",
                "pass1_s", "pass1_cpu_s", "pass2_s", "est_entries_100gb_1m_files", "backup1_zstd3",
                "new_bytes_zstd3_min", "new_bytes_zstd3_max", "new_bytes_zstd3_each"));
        boolean skip = o.getOrDefault("skip-scenario", "false").equals("true");
        for (ChunkerParams p : skip ? List.<ChunkerParams>of() : params) {
            boolean zAll = o.getOrDefault("zstd-all", "false").equals("true")
                    && p.algorithm() == ChunkerParams.Algorithm.GEAR_KEYED;
            rows.add(scenario(p, secret, a, bs, filesA, rereads, renamed, changed, zAll, log));
        }
        if (!skip) {
            Files.write(out.resolve("scenario.tsv"), rows);
        }

        // boundary search alone, in memory
        List<byte[]> sample = sample(a, filesA, sampleMb * 1_000_000L, new Random(5));
        long sampleBytes = sample.stream().mapToLong(x -> x.length).sum();
        log.printf(Locale.ROOT, "throughput sample: %,d files, %,d bytes%n", sample.size(), sampleBytes);
        List<String> trows = new ArrayList<>();
        trows.add(String.join("\t", "params", "best_mb_s", "median_mb_s", "best_cpu_mb_s", "chunks"));
        for (ChunkerParams p : params) {
            trows.add(throughput(p, secret, sample, sampleBytes, reps, log));
        }
        trows.add(sha256(sample, sampleBytes, reps, log));
        Files.write(out.resolve("throughput.tsv"), trows);
    }

    static String scenario(ChunkerParams p, byte[] secret, Path a, List<Path> bs, List<Entry> filesA,
                           List<List<Entry>> rereads, String renamed, List<Set<String>> changedBy, boolean zstdAll,
                           PrintStream log) throws Exception {
        Chunker c = Chunker.create(secret, p);
        ChunkReader r = c.newReader();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest = new byte[32];
        Set<Id> ids = new HashSet<>();
        long chunks = 0;
        long bytes = 0;
        long atMax = 0;
        long filesLtMin = 0;
        long filesOne = 0;
        long multiBytes = 0;
        long multiChunks = 0;
        IntList multiSizes = new IntList();
        long zAll = 0;
        byte[] zbuf = new byte[(int) Zstd.compressBound(p.max())];
        long t0 = System.nanoTime();
        long c0 = MX.getCurrentThreadCpuTime();
        for (Entry e : filesA) {
            if (e.size < p.min()) {
                filesLtMin++;
            }
            int n = 0;
            try (InputStream in = Files.newInputStream(a.resolve(e.path))) {
                r.reset(in);
                while (r.next()) {
                    sha.update(r.buffer(), r.offset(), r.length());
                    sha.digest(digest, 0, 32);
                    ids.add(id(digest));
                    n++;
                    chunks++;
                    bytes += r.length();
                    if (r.length() == p.max()) {
                        atMax++;
                    }
                    if (e.size >= p.max()) {
                        multiSizes.add(r.length());
                    }
                    if (zstdAll) {
                        zAll += zstd(zbuf, r.buffer(), r.offset(), r.length());
                    }
                }
            }
            if (n == 1) {
                filesOne++;
            } else if (n > 1) {
                multiBytes += e.size;
                multiChunks += n;
            }
        }
        double pass1 = (System.nanoTime() - t0) / 1e9;
        double pass1Cpu = (MX.getCurrentThreadCpuTime() - c0) / 1e9;

        // backup 2, once per change (seed), each against backup 1 alone
        int runs = bs.size();
        double newChunks = 0;
        double newBytes = 0;
        double newZ = 0;
        double[] byCause = new double[4]; // changed in place (moved or not), new files, db, only renamed/other
        long minZ = Long.MAX_VALUE;
        long maxZ = 0;
        StringBuilder perSeed = new StringBuilder();
        t0 = System.nanoTime();
        for (int run = 0; run < runs; run++) {
            Path b = bs.get(run);
            Set<String> changed = changedBy.get(run);
            Set<Id> added = new HashSet<>();
            long z = 0;
            for (Entry e : rereads.get(run)) {
                String before = !renamed.isEmpty() && e.path.startsWith(renamed + "-renamed/")
                        ? renamed + e.path.substring(renamed.length() + "-renamed".length()) : e.path;
                int cause = changed.contains(before) ? 0
                        : e.path.startsWith("home/alice/notes-new/") ? 1
                        : e.path.equals("srv/appdb/app.db") ? 2
                        : 3;
                try (InputStream in = Files.newInputStream(b.resolve(e.path))) {
                    r.reset(in);
                    while (r.next()) {
                        sha.update(r.buffer(), r.offset(), r.length());
                        sha.digest(digest, 0, 32);
                        Id k = id(digest);
                        if (!ids.contains(k) && added.add(k)) {
                            newChunks++;
                            newBytes += r.length();
                            byCause[cause] += r.length();
                            z += zstd(zbuf, r.buffer(), r.offset(), r.length());
                        }
                    }
                }
            }
            newZ += z;
            minZ = Math.min(minZ, z);
            maxZ = Math.max(maxZ, z);
            perSeed.append(perSeed.length() == 0 ? "" : " ").append(z);
        }
        newChunks /= runs;
        newBytes /= runs;
        newZ /= runs;
        for (int i = 0; i < 4; i++) {
            byCause[i] /= runs;
        }
        double pass2 = (System.nanoTime() - t0) / 1e9 / runs;
        double mean = bytes / (double) chunks;
        double chunksPerGib = chunks / (bytes / (double) (1L << 30));
        // index entries for 100 GB in 1,000,000 files, this tree's mix: files that are one chunk stay one chunk
        // each; the bytes of multi-chunk files scale to 100 GB at this tree's mean size of their chunks
        double multiMean = multiBytes / (double) Math.max(1, multiChunks);
        double fracMultiBytes = multiBytes / (double) bytes;
        double fracOneFiles = filesOne / (double) filesA.size();
        double est = 1_000_000 * fracOneFiles + 100e9 * fracMultiBytes / multiMean;
        int median = multiSizes.median();
        log.printf(Locale.ROOT, "%-34s chunks %,7d mean %,9.0f (multi-chunk files %,9.0f) median(files>=max) %,9d at-max %,5d | new %,5.0f chunks"
                        + " %,12.0f B (zstd-3 %,12.0f B: %s) [changed %,.0f new %,.0f db %,.0f renamed-only %,.0f] | pass1 %.1f s (cpu %.1f)"
                        + " pass2 %.1f s | est. entries 100GB/1M files %,.0f | backup 1 zstd-3 %,d B%n",
                p, chunks, mean, multiMean, median, atMax, newChunks, newBytes, newZ, perSeed, byCause[0], byCause[1], byCause[2],
                byCause[3], pass1, pass1Cpu, pass2, est, zAll);
        return String.join("\t", p.toString(), Long.toString(chunks), fmt(mean), fmt(multiMean), Integer.toString(median),
                Long.toString(atMax), Long.toString(filesLtMin), Long.toString(filesOne), fmt(chunksPerGib),
                fmt(newChunks), fmt(newBytes), fmt(newZ), fmt(byCause[0]), fmt(byCause[1]), fmt(byCause[2]),
                fmt(byCause[3]), fmt(pass1), fmt(pass1Cpu), fmt(pass2), fmt(est), zstdAll ? Long.toString(zAll) : "",
                Long.toString(minZ), Long.toString(maxZ), perSeed.toString());
    }

    /** zstd level 3 of one chunk, or its raw length when that is smaller (stored uncompressed). */
    static long zstd(byte[] zbuf, byte[] b, int off, int len) throws IOException {
        long z = Zstd.compressByteArray(zbuf, 0, zbuf.length, b, off, len, 3);
        if (Zstd.isError(z)) {
            throw new IOException("zstd: " + Zstd.getErrorName(z));
        }
        return Math.min(z, len);
    }

    static String throughput(ChunkerParams p, byte[] secret, List<byte[]> sample, long sampleBytes, int reps,
                             PrintStream log) {
        Chunker c = Chunker.create(secret, p);
        ChunkReader r = c.newReader();
        double[] wall = new double[reps];
        double bestCpu = Double.MAX_VALUE;
        long chunks = 0;
        for (int rep = -2; rep < reps; rep++) {
            long t0 = System.nanoTime();
            long c0 = MX.getCurrentThreadCpuTime();
            long n = 0;
            try {
                for (byte[] f : sample) {
                    r.reset(f, 0, f.length);
                    while (r.next()) {
                        n++;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            double w = (System.nanoTime() - t0) / 1e9;
            double cpu = (MX.getCurrentThreadCpuTime() - c0) / 1e9;
            if (rep >= 0) {
                wall[rep] = w;
                bestCpu = Math.min(bestCpu, cpu);
            }
            chunks = n;
        }
        Arrays.sort(wall);
        double best = sampleBytes / 1e6 / wall[0];
        double median = sampleBytes / 1e6 / wall[reps / 2];
        double cpuRate = sampleBytes / 1e6 / bestCpu;
        log.printf(Locale.ROOT, "%-34s boundary search: best %,6.0f MB/s, median %,6.0f MB/s, best by CPU time %,6.0f"
                + " MB/s, %,d chunks%n", p, best, median, cpuRate, chunks);
        return String.join("\t", p.toString(), fmt(best), fmt(median), fmt(cpuRate), Long.toString(chunks));
    }

    static String sha256(List<byte[]> sample, long sampleBytes, int reps, PrintStream log) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        double best = Double.MAX_VALUE;
        for (int rep = -2; rep < reps; rep++) {
            long t0 = System.nanoTime();
            for (byte[] f : sample) {
                sha.update(f);
                sha.digest();
            }
            double w = (System.nanoTime() - t0) / 1e9;
            if (rep >= 0) {
                best = Math.min(best, w);
            }
        }
        log.printf(Locale.ROOT, "%-34s best %,6.0f MB/s (for comparison)%n", "SHA-256 (JDK)", sampleBytes / 1e6 / best);
        return String.join("\t", "sha256-jdk", fmt(sampleBytes / 1e6 / best), "", "", "");
    }

    /** Whole files, drawn at random until {@code budget} bytes; the composition of the tree, not its order. */
    static List<byte[]> sample(Path root, List<Entry> files, long budget, Random rnd) throws IOException {
        List<Entry> shuffled = new ArrayList<>(files);
        Collections.shuffle(shuffled, rnd);
        List<byte[]> out = new ArrayList<>();
        long total = 0;
        for (Entry e : shuffled) {
            if (total >= budget) {
                break;
            }
            if (e.size > budget - total || e.size > Integer.MAX_VALUE - 64) {
                continue;
            }
            byte[] d = Files.readAllBytes(root.resolve(e.path));
            out.add(d);
            total += d.length;
        }
        return out;
    }

    static Id id(byte[] d) {
        long x = 0;
        long y = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (d[i] & 0xff);
            y = (y << 8) | (d[8 + i] & 0xff);
        }
        return new Id(x, y);
    }

    static List<Entry> walk(Path root) throws IOException {
        List<Entry> out = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    Map<String, Object> u = Files.readAttributes(f, "unix:size,lastModifiedTime,ctime,ino",
                            LinkOption.NOFOLLOW_LINKS);
                    out.add(new Entry(root.relativize(f).toString(), (Long) u.get("size"),
                            ((FileTime) u.get("lastModifiedTime")).toMillis(), ((FileTime) u.get("ctime")).toMillis(),
                            (Long) u.get("ino")));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort((x, y) -> x.path.compareTo(y.path));
        return out;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static final class IntList {
        int[] a = new int[1024];
        int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int median() {
            if (n == 0) {
                return 0;
            }
            int[] s = Arrays.copyOf(a, n);
            Arrays.sort(s);
            return s[n / 2];
        }
    }
}
