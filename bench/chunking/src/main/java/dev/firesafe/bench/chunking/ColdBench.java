package dev.firesafe.bench.chunking;

import dev.firesafe.chunking.ChunkReader;
import dev.firesafe.chunking.Chunker;
import dev.firesafe.chunking.ChunkerParams;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The boundary search in a fresh JVM (Firesafe runs once per backup: the first GB counts, not steady state). Loads
 * the tree's files (sorted by path) up to --mb into memory first, then chunks them once, timing every 64 MB by
 * wall clock and by the thread's CPU time (the machine is shared: CPU time is what a free core would take):
 *
 * <pre>
 * java -cp ... dev.firesafe.bench.chunking.ColdBench --dir WORK/srcA --params fastcdc-toeplitz-aes-v1:128K/512K/2M
 * </pre>
 *
 * Prints: params, MB/s over the first 64 MB (wall), MB/s over all (wall), thread CPU s, bytes, per-64-MB MB/s by
 * CPU time.
 */
public final class ColdBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> o = ChunkingBench.options(args);
        ChunkerParams p = ChunkerParams.parse(o.get("params"));
        long budget = Long.parseLong(o.getOrDefault("mb", "1024")) * 1_000_000L;
        List<ChunkingBench.Entry> files = ChunkingBench.walk(Path.of(o.get("dir")));
        List<byte[]> data = new ArrayList<>();
        long total = 0;
        for (ChunkingBench.Entry e : files) {
            if (total >= budget) {
                break;
            }
            if (e.size() > 600_000_000L) {
                continue;
            }
            byte[] d = Files.readAllBytes(Path.of(o.get("dir")).resolve(e.path()));
            data.add(d);
            total += d.length;
        }
        byte[] secret = new byte[32];
        new Random(2026).nextBytes(secret);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Chunker c = Chunker.create(secret, p);
        ChunkReader r = c.newReader();
        long done = 0;
        long mark = 64_000_000L;
        long cMark = c0;
        double first = 0;
        long chunks = 0;
        StringBuilder trace = new StringBuilder();
        long tMark = t0;
        long doneMark = 0;
        for (byte[] d : data) {
            r.reset(d, 0, d.length);
            while (r.next()) {
                chunks++;
            }
            done += d.length;
            if (done >= mark) {
                long now = System.nanoTime();
                long cNow = mx.getCurrentThreadCpuTime();
                double rate = (done - doneMark) / 1e6 / ((now - tMark) / 1e9);
                double cpuRate = (done - doneMark) / 1e6 / ((cNow - cMark) / 1e9);
                if (first == 0) {
                    first = rate;
                }
                trace.append(String.format(Locale.ROOT, "%.0f ", cpuRate));
                tMark = now;
                cMark = cNow;
                doneMark = done;
                mark += 64_000_000L;
            }
        }
        double all = done / 1e6 / ((System.nanoTime() - t0) / 1e9);
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        System.out.println(String.join("\t", p.toString(), String.format(Locale.ROOT, "%.0f", first),
                String.format(Locale.ROOT, "%.0f", all), String.format(Locale.ROOT, "%.2f", cpu), Long.toString(done),
                trace.toString().trim()));
        System.err.printf(Locale.ROOT, "cold %-36s first 64 MB %,5.0f MB/s (wall), all %,d MB %,5.0f MB/s (wall),"
                + " %,5.0f MB/s (cpu %.2f s); per 64 MB by CPU time: %s%n", p, first, done / 1_000_000, all,
                done / 1e6 / cpu, cpu, trace);
    }
}
