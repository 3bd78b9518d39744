package dev.firesafe.archive;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The last entry of every archive ({@value #ENTRY_NAME}): what the backup holds and the SHA-256 of every file as
 * it was stored. Restore and verify check each file against it; an entry missing from either side is an error.
 *
 * <p>Its JSON is {@link ManifestJson}'s part. {@code @JsonInclude} stays for the HTTP endpoints, which serialize
 * with Jackson.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Manifest {

    public static final String ENTRY_NAME = ".firesafe/manifest.json";
    public static final int FORMAT = 1;

    public int format = FORMAT;
    public String backupId;
    public String plan;
    public String host;
    public String started;
    public String finished;
    public String firesafeVersion;
    public String compression;
    public List<SourceRoot> sources = new ArrayList<>();
    public List<Entry> entries = new ArrayList<>();
    public List<Warning> warnings = new ArrayList<>();
    public long files;
    public long bytes;

    /** Where a top-level folder of the archive came from. */
    public record SourceRoot(String label, String path) {
    }

    /**
     * One stored entry. {@code sha256} and {@code size} for files and streams, {@code target} for symlinks.
     * A {@value #STREAM} is one logical file (a command's output) stored as {@code parts} consecutive tar entries
     * {@code PATH.part000001...}; size and SHA-256 are of the whole reassembled stream.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String path, String type, Long size, String mode, String mtime, String sha256,
                        String target, Integer parts) {
        public static final String FILE = "file";
        public static final String DIR = "dir";
        public static final String SYMLINK = "symlink";
        public static final String STREAM = "stream";

        public Entry(String path, String type, Long size, String mode, String mtime, String sha256, String target) {
            this(path, type, size, mode, mtime, sha256, target, null);
        }
    }

    /**
     * Something the backup noticed and got past: a file that changed or vanished while read, a skipped socket, or
     * an entry it could not read at all, which is then {@link #missing() missing} from the backup.
     */
    public record Warning(String path, String problem) {
        /** How a problem that left data out of the backup ends (the manifest keeps only the text). */
        static final String MISSING = "MISSING from this backup";

        /** The problem text for an entry that could not be read: "{@code reason}; MISSING from this backup". */
        public static String missing(String reason) {
            return reason + "; " + MISSING;
        }

        /** Whether data the plan names is missing from the backup because of this (see {@link #missing}). */
        public boolean missing() {
            return problem != null && problem.endsWith(MISSING);
        }
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /** Reads a manifest; anything that is not the JSON of one is an IOException saying what is wrong. */
    public static Manifest fromJson(byte[] bytes) throws IOException {
        return ManifestJson.read(bytes);
    }
}
