package dev.firesafe.testing;

import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Compression;
import dev.firesafe.archive.FileMeta;
import dev.firesafe.archive.Manifest;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.store.Store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Writes backup files whose archive content a test chooses, through the real stack: a {@link LocalStore} upload,
 * {@link ArchiveCipher} with a valid header and key, then compression. A crafted archive is then exactly what an
 * attacker who holds the key (or a buggy writer) could put on a target.
 */
public final class CraftedBackups {

    private CraftedBackups() {
    }

    /** Writes the plaintext archive (tar, before compression). Must not close the stream it is given. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream plainArchive) throws IOException;
    }

    /** Encrypts and commits a backup of {@code plan} holding what {@code body} writes; returns its id. */
    public static String write(Path targetRoot, String plan, MasterKey key, Compression compression, Body body)
            throws IOException {
        return write(targetRoot, plan, key, compression, Instant.now(), body);
    }

    /** As {@link #write(Path, String, MasterKey, Compression, Body)}, made at {@code now} (say, a week ago). */
    public static String write(Path targetRoot, String plan, MasterKey key, Compression compression, Instant now,
                               Body body) throws IOException {
        String id = BackupId.next(now);
        BackupHeader header = ArchiveCipher.headerFor(id, plan, now.toString(), compression.id, key);
        Store.Upload upload = new LocalStore(targetRoot).create(BackupCatalog.objectName(plan, id));
        try {
            try (OutputStream encrypted = ArchiveCipher.encrypt(upload.stream(), header, key);
                 OutputStream compressed = compression.compress(encrypted, 3, 0)) {
                body.write(new FilterOutputStream(compressed) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the stack is closed once, below, in order
                    }
                });
            }
            upload.commit();
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw e;
        }
        return id;
    }

    /** A manifest as a real backup starts it. */
    /** What a crafted archive holds, written through the project's own {@link ArchiveWriter}. */
    @FunctionalInterface
    public interface Entries {
        void write(ArchiveWriter writer, Manifest manifest) throws IOException;
    }

    /** A backup whose archive holds what {@code entries} writes through an {@link ArchiveWriter}, then a manifest. */
    public static String withWriter(Path targetRoot, String plan, MasterKey key, Entries entries) throws IOException {
        return withWriter(targetRoot, plan, key, Instant.now(), entries);
    }

    /** As {@link #withWriter(Path, String, MasterKey, Entries)}, made at {@code now}. */
    public static String withWriter(Path targetRoot, String plan, MasterKey key, Instant now, Entries entries)
            throws IOException {
        return write(targetRoot, plan, key, Compression.ZSTD, now, plain -> {
            Manifest manifest = manifest(plan);
            try (ArchiveWriter w = new ArchiveWriter(plain, manifest, n -> {
            })) {
                entries.write(w, manifest);
                w.finish(Instant.now());
            }
        });
    }

    public static Manifest manifest(String plan) {
        Manifest m = new Manifest();
        m.plan = plan;
        m.host = "crafted";
        m.started = Instant.now().toString();
        m.compression = Compression.ZSTD.id;
        return m;
    }

    public static FileMeta meta(long size) {
        return new FileMeta(size, 0644, FileTime.from(Instant.parse("2026-01-02T03:04:05Z")), 1000, 1000);
    }
}
