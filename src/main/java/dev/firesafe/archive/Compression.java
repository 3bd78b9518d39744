package dev.firesafe.archive;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.firesafe.core.FiresafeException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How the tar stream is compressed. zstd level 3 is the default: on the bench tree it compresses at ~8x the speed
 * of gzip -6 for a ~5% larger output (docs/benchmarks.md). The name is recorded in every backup header.
 */
public enum Compression {
    ZSTD("zstd"),
    GZIP("gzip"),
    NONE("none");

    private static final int GZIP_BUFFER = 256 * 1024;

    public final String id;

    Compression(String id) {
        this.id = id;
    }

    /**
     * Input per zstd worker job. The library's default at level 3 (4x the 2 MiB window, 8 MiB) keeps several
     * jobs' input and output buffers alive: peak RSS of a 1 GiB backup was 257-308 MiB with it, 153-169 MiB with
     * 1 MiB jobs, for 0.2 % more output and no measurable change in time (bench tree, 2 cores).
     */
    private static final int ZSTD_JOB_SIZE = 1 << 20;

    public static Compression byId(String id) {
        for (Compression c : values()) {
            if (c.id.equals(id.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw FiresafeException.usage("unknown compression '" + id + "'; known: zstd, gzip, none");
    }

    /**
     * @param level   zstd level (1-19) or gzip level (1-9); ignored for none
     * @param workers zstd worker threads (0 = compress in the caller's thread)
     */
    public OutputStream compress(OutputStream out, int level, int workers) throws IOException {
        switch (this) {
            case ZSTD:
                ZstdOutputStream z = new ZstdOutputStream(out, level);
                if (workers > 0) {
                    z.setWorkers(workers);
                    z.setJobSize(ZSTD_JOB_SIZE);
                }
                return z;
            case GZIP:
                return new LeveledGzip(out, level);
            default:
                return out;
        }
    }

    public InputStream decompress(InputStream in) throws IOException {
        switch (this) {
            case ZSTD:
                return new ZstdInputStream(in);
            case GZIP:
                return new GZIPInputStream(in, GZIP_BUFFER);
            default:
                return in;
        }
    }

    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, GZIP_BUFFER);
            def.setLevel(Math.max(1, Math.min(9, level)));
        }
    }
}
