package dev.firesafe.store.github;

import dev.firesafe.core.TamperedException;
import dev.firesafe.core.StoreIOException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * A backup's parts read one after the other as one stream. Each part is checked against the size and SHA-256 the
 * index recorded before the next is opened, so a missing, short or swapped part is reported as damage of that
 * part, not as a confusing decryption error further on.
 */
final class PartsInputStream extends InputStream {

    private final GitHubClient client;
    private final GitHubLocation location;
    private final String name;
    private final Iterator<BackupIndex.Part> parts;
    private BackupIndex.Part part;
    private InputStream in;
    private MessageDigest sha256;
    private long read;

    /** The parts of {@code entry} from its {@code first} (0 for the whole backup). */
    PartsInputStream(GitHubClient client, GitHubLocation location, BackupIndex.Entry entry, int first) {
        this.client = client;
        this.location = location;
        this.name = entry.name();
        this.parts = entry.parts().subList(first, entry.parts().size()).iterator();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (in == null && !openNext()) {
                return -1;
            }
            int n = in.read(b, off, len);
            if (n > 0) {
                sha256.update(b, off, n);
                read += n;
                return n;
            }
            finishPart();
        }
    }

    private boolean openNext() throws IOException {
        if (!parts.hasNext()) {
            return false;
        }
        part = parts.next();
        in = client.raw(location.file(part.file()));
        if (in == null) {
            throw new StoreIOException("part " + part.file() + " of " + name + " is missing from " + location, null);
        }
        sha256 = Sha.sha256();
        read = 0;
        return true;
    }

    private void finishPart() throws IOException {
        in.close();
        in = null;
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (read != part.size() || !actual.equals(part.sha256())) {
            throw new TamperedException("part " + part.file() + " of " + name + " in " + location + " is damaged: "
                    + read + " bytes with SHA-256 " + actual + ", the index recorded " + part.size() + " bytes with "
                    + part.sha256(), null);
        }
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
    }
}
