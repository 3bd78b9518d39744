package dev.firesafe.store.github;

import dev.firesafe.store.PartBufferedUpload;
import dev.firesafe.store.StoreErrors;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One backup being written to a {@link GitHubStore}. Bytes collect in a buffer of the part size; a full buffer is
 * sent as the next numbered part only once more bytes arrive, so an archive that fits in one part is one file
 * with the backup's own name, sent at commit. Commit then adds the entry to the index: until that write succeeds
 * the files are invisible. Abort deletes the files it uploaded.
 */
final class GitHubUpload extends PartBufferedUpload {

    private static final Logger LOG = Logger.getLogger(GitHubUpload.class);

    private final String name;
    private final IndexStore.Snapshot known;
    private final GitHubStore target;
    private final List<BackupIndex.Part> parts = new ArrayList<>();
    /** Set once the index write was tried: its outcome may be unknown after a dropped connection. */
    private boolean indexTried;

    GitHubUpload(String name, IndexStore.Snapshot known, GitHubStore target) {
        super(target.partSize());
        this.name = name;
        this.known = known;
        this.target = target;
    }

    @Override
    protected String where() {
        return target.describe();
    }

    @Override
    protected void sendFullPart() throws IOException {
        sendPart(name + String.format(".part%04d", parts.size() + 1));
    }

    private void sendPart(String file) throws IOException {
        String path = target.location().file(file);
        String blob;
        try {
            blob = target.client().put(path, part, 0, filled, null, "firesafe: upload " + file);
        } catch (GitHubClient.ShaConflict e) {
            blob = ownEarlierAttempt(path, e);
        }
        parts.add(new BackupIndex.Part(file, filled, Sha.sha256(part, 0, filled), blob));
        filled = 0;
    }

    /**
     * The file exists. If its blob sha is that of our own bytes, an earlier attempt whose answer was lost (dropped
     * connection) did write it, and it counts; anything else is someone else's file and is never overwritten.
     */
    private String ownEarlierAttempt(String path, GitHubClient.ShaConflict conflict) throws IOException {
        String ours = Sha.gitBlob(part, 0, filled);
        GitHubClient.FileInfo there = target.client().info(path);
        if (there != null && ours.equals(there.sha())) {
            return ours;
        }
        throw conflict;
    }

    @Override
    public void commit() throws IOException {
        if (finished) {
            return;
        }
        try {
            if (parts.isEmpty()) {
                sendPart(name);
            } else if (filled > 0) {
                sendFullPart();
            }
            BackupIndex.Entry entry = new BackupIndex.Entry(name, written, List.copyOf(parts));
            indexTried = true;
            BackupIndex written = target.index().update(known, current -> {
                BackupIndex.Entry existing = current.find(name).orElse(null);
                if (existing == null) {
                    return current.with(entry);
                }
                if (existing.equals(entry)) {
                    return current; // our own earlier attempt got through
                }
                throw StoreErrors.exists(name, target.describe(), null);
            }, "firesafe: add " + name);
            finished = true;
            target.committed(written);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    @Override
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        if (parts.isEmpty()) {
            return;
        }
        if (indexTried && !provablyUnindexed()) {
            LOG.warnf("upload of %s to %s failed while the index was written; its files are left in place in case"
                    + " the index lists them", name, target.describe());
            return;
        }
        target.deleteFiles(parts, "aborted upload of " + name);
    }

    /** True if a fresh read of the index shows no entry for this upload (so deleting its files is safe). */
    private boolean provablyUnindexed() {
        try {
            return target.index().read().find(name).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
