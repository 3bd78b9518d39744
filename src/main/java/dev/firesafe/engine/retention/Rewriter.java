package dev.firesafe.engine.retention;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.Version;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.io.HostName;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkTable;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.format.Blocks;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.repository.format.ObjectWriter;
import dev.firesafe.store.Store;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a generation: the live chunks of a removed backup's objects, copied into one new object
 * {@code PLAN/ID.gN.firesafe} whose header and footer name it {@code ID.gN}. It has an index and no tree: it is no
 * backup, only where the chunks of backup ID are now. Sealed like the object it replaces (the master key, or for a
 * write-only backup the public half of its recovery key), compressed as the plan compressed it. Blocks are read one
 * at a time from the old objects, in their order, and repacked; memory holds one block in and one out.
 */
final class Rewriter {

    /** A generation's bytes beyond its chunks: header, stream overhead, index pages, footer (generous). */
    private static final long OVERHEAD = 4096;
    private static final long PER_CHUNK = 64;
    private static final int BLOCK_TARGET = 1 << 20;

    /** An object to copy from: its chunks and which of them are live. */
    record Member(ChunkTable table, BitSet live) {
    }

    private final Store store;
    private final String plan;
    private final KeyRing keys;
    private final int level;
    private final Clock clock;

    Rewriter(Store store, String plan, KeyRing keys, int level, Clock clock) {
        this.store = store;
        this.plan = plan;
        this.keys = keys;
        this.level = level;
        this.clock = clock;
    }

    /** What a generation holding {@code chunks} live chunks of {@code liveBytes} stored bytes will take. */
    static long estimate(long liveBytes, int chunks) {
        return liveBytes + OVERHEAD + PER_CHUNK * chunks;
    }

    /**
     * Writes generation {@code number} of backup {@code backupId} from {@code objects} (each with its member's live
     * chunks; a chunk that a later member holds too is copied from there) and commits it. Returns its size.
     */
    long write(String backupId, int number, List<BackupCatalog.Ref> objects, List<Member> members,
               EncryptionKey sealer, String compressionId) throws IOException {
        String id = BackupCatalog.generationId(backupId, number);
        Instant started = clock.instant();
        Compression compression = Compression.byId(compressionId == null ? "zstd" : compressionId);
        ArchiveCipher.Sealing sealing = sealer.seal(id, plan, started.toString(), compression.id)
                .withFormat(BackupHeader.FORMAT_CHUNKED);
        Store.Upload upload = store.create(BackupCatalog.generationName(plan, backupId, number));
        try {
            Counting counted = new Counting(upload.stream());
            long raw;
            long stored;
            try (OutputStream encrypted = ArchiveCipher.encrypt(counted, sealing);
                 OutputStream plaintext = new BufferedOutputStream(encrypted, 256 * 1024)) {
                ObjectWriter object = new ObjectWriter(plaintext, id, level);
                Packer packer = new Packer(object, id, compression);
                for (int m = members.size() - 1; m >= 0; m--) {
                    copy(objects.get(m), members, m, packer);
                }
                packer.flush();
                raw = packer.raw;
                stored = packer.stored;
                object.finish(new Footer(id, plan, HostName.current(), started.toString(),
                        clock.instant().toString(), Version.current(), true, List.of(), List.of(), List.of(),
                        List.of(), 0, raw, 0, stored, 0, List.of(), 0));
            }
            upload.commit();
            return counted.count;
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw e;
        }
    }

    /** Copies member {@code m}'s live chunks that no newer member holds, block by block in object order. */
    private void copy(BackupCatalog.Ref object, List<Member> members, int m, Packer packer) throws IOException {
        Member member = members.get(m);
        List<Integer> chunks = new ArrayList<>();
        BitSet live = member.live();
        for (int i = live.nextSetBit(0); i >= 0; i = live.nextSetBit(i + 1)) {
            byte[] chunkId = member.table().id(i);
            boolean newer = false;
            for (int l = m + 1; l < members.size() && !newer; l++) {
                newer = members.get(l).table().find(chunkId) >= 0;
            }
            if (!newer) {
                chunks.add(i);
            }
        }
        if (chunks.isEmpty()) {
            return;
        }
        chunks.sort(Comparator.comparingLong((Integer i) -> member.table().location(i).blockOffset())
                .thenComparingInt(i -> member.table().location(i).offsetInBlock()));
        try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, object, keys)) {
            long blockAt = -1;
            byte[] block = null;
            for (int i : chunks) {
                ChunkLocation at = member.table().location(i);
                if (at.blockOffset() != blockAt) {
                    block = opened.reader().block(at.blockOffset(), at.blockLength());
                    blockAt = at.blockOffset();
                }
                if ((long) at.offsetInBlock() + at.length() > block.length) {
                    throw new dev.firesafe.core.TamperedException(object.objectName() + " lists a chunk outside its "
                            + "block at " + at.blockOffset() + ": damaged", null);
                }
                packer.add(member.table().id(i), block, at.offsetInBlock(), at.length());
            }
        }
    }

    /** Packs chunks into blocks of about {@link #BLOCK_TARGET} bytes and indexes them. */
    private final class Packer {
        private final ObjectWriter object;
        private final String id;
        private final Compression compression;
        private byte[] open = new byte[BLOCK_TARGET];
        private int filled;
        private final List<byte[]> ids = new ArrayList<>();
        private final List<int[]> spans = new ArrayList<>();
        long raw;
        long stored;

        Packer(ObjectWriter object, String id, Compression compression) {
            this.object = object;
            this.id = id;
            this.compression = compression;
        }

        void add(byte[] chunkId, byte[] data, int offset, int length) throws IOException {
            if (filled > 0 && filled + length > BLOCK_TARGET) {
                flush();
            }
            if (open.length < filled + length) {
                open = Arrays.copyOf(open, filled + length);
            }
            System.arraycopy(data, offset, open, filled, length);
            ids.add(chunkId);
            spans.add(new int[] {filled, length});
            filled += length;
            raw += length;
        }

        void flush() throws IOException {
            if (filled == 0) {
                return;
            }
            byte[] encoded = Blocks.encode(open, filled, compression, level);
            long at = object.writeBlock(encoded, encoded.length);
            stored += encoded.length;
            for (int k = 0; k < ids.size(); k++) {
                object.indexed(ids.get(k), new ChunkLocation(id, at, encoded.length, spans.get(k)[0],
                        spans.get(k)[1]));
            }
            ids.clear();
            spans.clear();
            filled = 0;
        }
    }

    /** Counts the bytes that reach the store. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
