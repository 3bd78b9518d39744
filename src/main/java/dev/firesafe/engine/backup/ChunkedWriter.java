package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.archive.EntryWriter;
import dev.firesafe.archive.FileMeta;
import dev.firesafe.archive.Manifest;
import dev.firesafe.chunking.Chunker;
import dev.firesafe.chunking.ChunkingOutputStream;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.repository.cache.RunChunks;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.repository.format.ObjectWriter;
import dev.firesafe.repository.format.TreeEntry;

import javax.crypto.Mac;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes a backup's entries into a chunked object (the incremental backup format, repository.format): each file
 * read is cut into content-defined chunks ({@link Chunker}), each chunk named by its keyed id
 * ({@link ContentKey}); a chunk some earlier backup already stored ({@link KnownChunks}) or this one already holds
 * is referenced, a new one goes into a block ({@link BlockWriter}). Unchanged files are not read at all: their
 * previous entry's chunks are referenced. Tree entries are written in walk order, each once the blocks of all its
 * new chunks are written (a chunk's location is its block's offset).
 *
 * <p>Runs on one thread (the reading happens ahead on another, source.ReadAhead); compression on workers.
 */
final class ChunkedWriter implements EntryWriter, AutoCloseable {

    /** What the stores already hold: a chunk's location valid on every store of this backup, or null. */
    interface KnownChunks {
        ChunkLocation find(byte[] id);
    }

    /** What the previous backup knew of an unchanged file (the walk's look-up hands it over). */
    record PreviousFile(byte[] sha256, List<ChunkRef> chunks) {
    }

    /** A tree entry waiting for the blocks of its new chunks. */
    private record Pending(TreeEntry entry, List<Object> refs) {
    }

    private final ObjectWriter object;
    private final KnownChunks known;
    private final Mac mac;
    private final BlockWriter blocks;
    private final ChunkingOutputStream chunking;
    private final LongConsumer progress;
    private final java.util.function.Consumer<TreeEntry> written;
    private final Deque<Pending> pending = new ArrayDeque<>();
    /** Chunks of this backup whose block is not written yet (bounded by the blocks in flight). */
    private final Map<IdKey, BlockWriter.NewChunk> unwritten = new HashMap<>();
    /** Chunks this backup stored: for copies within it, and for the stores' caches once committed. */
    private final RunChunks stored;
    private final List<Footer.Warning> warnings = new ArrayList<>();
    private long warningsLeftOut;
    private final Map<String, byte[][]> exact = new HashMap<>();

    private List<Object> fileRefs;
    private long files;
    private long bytes;
    private long newBytes;
    private long storedBytes;
    private long dedupBytes;
    /** Files referenced from the previous backup without being read (unchanged, or renamed: same inode). */
    private long unchangedFiles;

    ChunkedWriter(ObjectWriter object, String objectId, Chunker chunker, ContentKey key, KnownChunks known,
                  Compression compression, int level, int workers, LongConsumer progress,
                  java.util.function.Consumer<TreeEntry> written, RunChunks stored) {
        this.object = object;
        this.stored = stored;
        this.written = written;
        this.known = known;
        this.mac = key.newMac();
        this.progress = progress;
        this.blocks = new BlockWriter(object, objectId, compression, level, workers, chunker.params().max(),
                (chunks, storedLength) -> {
            for (BlockWriter.NewChunk c : chunks) {
                object.indexed(c.id, c.location);
                stored.add(new ChunkRef(c.id, c.location));
                unwritten.remove(new IdKey(c.id));
            }
            storedBytes += storedLength;
            flushReadyEntries();
        });
        this.chunking = chunker.newOutputStream(this::chunk);
    }

    @Override
    public void exactBytes(String name, byte[] path, byte[] linkTarget) {
        exact.put(name, new byte[][] {path, linkTarget});
    }

    @Override
    public void directory(String name, FileMeta meta) throws IOException {
        byte[][] e = exact.remove(name);
        enqueue(new TreeEntry(TreeEntry.Kind.DIR, name, e == null ? null : e[0], null, null, meta.mode(),
                meta.uid(), meta.gid(), meta.mtime(), meta.ctimeNanos(), meta.inode(), meta.device(), 0, null,
                List.of()), List.of());
    }

    @Override
    public void symlink(String name, String linkTarget, FileMeta meta) throws IOException {
        byte[][] e = exact.remove(name);
        enqueue(new TreeEntry(TreeEntry.Kind.SYMLINK, name, e == null ? null : e[0], linkTarget,
                e == null ? null : e[1], meta.mode(), meta.uid(), meta.gid(), meta.mtime(), 0, 0, 0, 0, null,
                List.of()), List.of());
    }

    @Override
    public void warn(String name, String problem) {
        if (warnings.size() < Footer.MAX_WARNINGS) {
            warnings.add(new Footer.Warning(name, problem, new Manifest.Warning(name, problem).missing()));
        } else {
            warningsLeftOut++;
        }
    }

    @Override
    public void beginFile(String name, FileMeta meta) {
        fileRefs = new ArrayList<>();
    }

    @Override
    public void fileData(byte[] buffer, int length) throws IOException {
        chunking.write(buffer, 0, length);
        bytes += length;
        progress.accept(length);
    }

    @Override
    public void endFile(String name, FileMeta meta, String sha256Hex) throws IOException {
        chunking.finish();
        byte[][] e = exact.remove(name);
        files++;
        enqueue(new TreeEntry(TreeEntry.Kind.FILE, name, e == null ? null : e[0], null, null, meta.mode(),
                meta.uid(), meta.gid(), meta.mtime(), meta.ctimeNanos(), meta.inode(), meta.device(), meta.size(),
                HexFormat.of().parseHex(sha256Hex), List.of()), fileRefs);
        fileRefs = null;
        blocks.writeReady();
    }

    @Override
    public void unchangedFile(String name, FileMeta meta, Object previous) throws IOException {
        PreviousFile p = (PreviousFile) previous;
        byte[][] e = exact.remove(name);
        files++;
        unchangedFiles++;
        bytes += meta.size();
        dedupBytes += meta.size();
        progress.accept(meta.size());
        enqueue(new TreeEntry(TreeEntry.Kind.FILE, name, e == null ? null : e[0], null, null, meta.mode(),
                meta.uid(), meta.gid(), meta.mtime(), meta.ctimeNanos(), meta.inode(), meta.device(), meta.size(),
                p.sha256(), p.chunks()), List.of());
    }

    /**
     * A command's output (a database dump, say) as one file of the backup, owner-only once restored. Its content
     * is chunked like a file's, so an unchanged part of a large dump is stored once.
     */
    long stream(String name, InputStream in, int mode, Instant mtime) throws IOException {
        fileRefs = new ArrayList<>();
        java.security.MessageDigest sha = sha256();
        byte[] buffer = new byte[256 * 1024];
        long size = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
            chunking.write(buffer, 0, n);
            size += n;
            bytes += n;
            progress.accept(n);
        }
        chunking.finish();
        files++;
        enqueue(new TreeEntry(TreeEntry.Kind.STREAM, name, null, null, null, mode, 0, 0, FileTime.from(mtime), 0,
                0, 0, size, sha.digest(), List.of()), fileRefs);
        fileRefs = null;
        blocks.writeReady();
        return size;
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One chunk of the current file, from the chunker. */
    private void chunk(long position, byte[] buf, int offset, int length) throws IOException {
        mac.update(buf, offset, length);
        byte[] id = mac.doFinal();
        BlockWriter.NewChunk mine = unwritten.get(new IdKey(id));
        if (mine != null) {
            dedupBytes += length;
            fileRefs.add(mine);
            return;
        }
        ChunkLocation there = stored.find(id);
        if (there == null) {
            there = known.find(id);
        }
        if (there != null) {
            dedupBytes += length;
            fileRefs.add(new ChunkRef(id, there));
            return;
        }
        BlockWriter.NewChunk added = blocks.add(id, buf, offset, length);
        if (!added.resolved()) {
            unwritten.put(new IdKey(id), added);
        }
        newBytes += length;
        fileRefs.add(added);
    }

    private void enqueue(TreeEntry entry, List<Object> refs) throws IOException {
        pending.add(new Pending(entry, refs));
        flushReadyEntries();
    }

    /** Writes the waiting entries, in order, up to the first whose chunks are not all written yet. */
    private void flushReadyEntries() throws IOException {
        while (!pending.isEmpty()) {
            Pending p = pending.peek();
            List<ChunkRef> refs = new ArrayList<>(p.refs().size());
            for (Object r : p.refs()) {
                if (r instanceof ChunkRef c) {
                    refs.add(c);
                } else {
                    BlockWriter.NewChunk c = (BlockWriter.NewChunk) r;
                    if (!c.resolved()) {
                        return;
                    }
                    refs.add(new ChunkRef(c.id, c.location));
                }
            }
            pending.remove();
            TreeEntry e = p.entry();
            TreeEntry complete = refs.isEmpty() ? e : new TreeEntry(e.kind(), e.name(), e.exactName(),
                    e.linkTarget(), e.exactLink(), e.mode(), e.uid(), e.gid(), e.mtime(), e.ctimeNanos(), e.inode(),
                    e.device(), e.size(), e.sha256(), refs);
            object.add(complete);
            written.accept(complete);
        }
    }

    /** Writes every block and entry still waiting; then the footer can be written. */
    void finish() throws IOException {
        blocks.flush(true);
        flushReadyEntries();
        if (!pending.isEmpty()) {
            throw new IllegalStateException("entries still wait for blocks after the last block was written");
        }
    }

    List<Footer.Warning> warnings() {
        return warnings;
    }

    long warningsLeftOut() {
        return warningsLeftOut;
    }

    long files() {
        return files;
    }

    long bytes() {
        return bytes;
    }

    long newBytes() {
        return newBytes;
    }

    long storedBytes() {
        return storedBytes;
    }

    long dedupBytes() {
        return dedupBytes;
    }

    long unchangedFiles() {
        return unchangedFiles;
    }

    @Override
    public void close() {
        blocks.close();
    }

    /** A chunk id as a map key. */
    private record IdKey(byte[] id) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdKey k && java.util.Arrays.equals(id, k.id);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(id);
        }
    }
}
