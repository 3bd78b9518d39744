package dev.firesafe.chunking;

import java.io.IOException;

/** Receives the chunks of a stream, in order. */
@FunctionalInterface
public interface ChunkSink {

    /**
     * One chunk: {@code length} bytes at {@code buf[offset]}. The view is valid only during the call (the array is
     * reused for later data): hash, compress or copy it before returning.
     *
     * @param position the chunk's offset in the stream (0 for the first chunk)
     */
    void chunk(long position, byte[] buf, int offset, int length) throws IOException;
}
