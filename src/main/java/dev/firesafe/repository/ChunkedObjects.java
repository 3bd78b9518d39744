package dev.firesafe.repository;

import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.format.ObjectReader;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreChannel;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;

/**
 * Opens a chunked backup object on a store for reading by range: the header is checked (key, id, plan) as for any
 * backup, then an {@link ObjectReader} reads footer, pages and blocks through a seekable, decrypt-on-demand view.
 */
public final class ChunkedObjects {

    private ChunkedObjects() {
    }

    /** An open object: its header, its reader, and the channel to close when done. */
    public record Opened(BackupHeader header, ObjectReader reader, SeekableByteChannel channel) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    public static Opened open(Store store, BackupCatalog.Ref ref, KeyRing keys) throws IOException {
        String what = "backup " + ref.id() + " in " + store.describe();
        StoreChannel channel = new StoreChannel(store, ref.objectName(), ref.size());
        ArchiveCipher.Opened opened = ArchiveCipher.open(channel, keys, ref.id(), what);
        if (opened.header().format() != BackupHeader.FORMAT_CHUNKED) {
            channel.close();
            throw new IllegalArgumentException(what + " is not a chunked backup");
        }
        return new Opened(opened.header(), new ObjectReader(opened.plaintext(), ref.id(), what), opened.plaintext());
    }
}
