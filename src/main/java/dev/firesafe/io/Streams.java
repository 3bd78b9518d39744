package dev.firesafe.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Stream copying with a buffer sized for pipeline stages (the JDK's transferTo uses 8 KiB). */
public final class Streams {
    public static final int STAGE_BUFFER = 1 << 20;

    private Streams() {
    }

    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[STAGE_BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
