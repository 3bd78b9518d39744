package dev.firesafe.store.github;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.Ranges;
import dev.firesafe.store.Store;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.store.StoreErrors;
import dev.firesafe.store.StoreInputStream;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A folder of a GitHub repository branch, written through the Contents API: {@code github://OWNER/REPO/PATH}.
 *
 * <p>Each backup is its own file {@code PATH/NAME} (or numbered parts {@code PATH/NAME.partNNNN} above
 * {@code firesafe.github.part-size}); {@code PATH/firesafe-index.json} lists the committed ones and is written
 * last. A backup of one part costs three requests: read the index (at {@link #create}, which also checks token and
 * repository before any source is read; one more request while there is no index), write the archive, write the
 * index. docs/github.md has the reasoning and the measured counts.
 */
public final class GitHubStore implements Store {

    private static final Logger LOG = Logger.getLogger(GitHubStore.class);
    static final int MIN_PART_SIZE = 1024;
    /** 64 MiB raw is ~86 MB as base64: under the Contents API's 100 MB per file with room for the JSON. */
    static final int MAX_PART_SIZE = 64 << 20;

    private final GitHubLocation location;
    private final GitHubClient client;
    private final IndexStore index;
    private final int partSize;
    /**
     * The index as this store last read or wrote it, for the next listing, once: a backup lists right after it
     * opened its upload (what the target holds), and retention right after its commit; asking GitHub again each
     * time would cost a request of the three a backup takes.
     */
    private BackupIndex justWritten;
    /** The index as this store last saw it, for reads of objects it lists (they never change once committed). */
    private BackupIndex known;

    GitHubStore(GitHubLocation location, GitHubClient client, int partSize) {
        this.location = location;
        this.client = client;
        this.index = new IndexStore(client, location);
        this.partSize = partSize;
    }

    static GitHubStore open(GitHubLocation location, GitHubConfig config, UnaryOperator<String> env,
                             Clock clock, Sleeper sleeper) {
        return open(GitHubClient.restClient(config.apiUrl(), config.timeout()), location, config, env, clock,
                sleeper);
    }

    static GitHubStore open(ContentsApi api, GitHubLocation location, GitHubConfig config,
                            UnaryOperator<String> env, Clock clock, Sleeper sleeper) {
        checkPartSize(config);
        RetryPolicy retry = new RetryPolicy(config.maxRetries(), config.retryBackoff(), config.rateLimitBudget(),
                clock, sleeper);
        GitHubClient client = new GitHubClient(api, location, new TokenResolver(env, config, sleeper), retry);
        return new GitHubStore(location, client, config.partSize());
    }

    static void checkPartSize(GitHubConfig config) {
        if (config.partSize() < MIN_PART_SIZE || config.partSize() > MAX_PART_SIZE) {
            throw FiresafeException.usage("firesafe.github.part-size must be between " + MIN_PART_SIZE + " and "
                    + MAX_PART_SIZE + " bytes (GitHub takes files up to 100 MB, sent as base64)");
        }
    }

    /**
     * One file of a repository as a stream, {@code github://OWNER/REPO/PATH/FILE?branch=B}: how backups of the
     * original system (one file per backup, not a Firesafe target) are fetched for {@code restore --legacy-fernet}.
     */
    public static InputStream openFile(String uri, GitHubConfig config, UnaryOperator<String> env)
            throws IOException {
        GitHubStore t = open(GitHubLocation.parse(uri), config, env, Clock.systemUTC(), Sleeper.REAL);
        if (t.location.path().isEmpty()) {
            throw FiresafeException.usage("'" + uri + "' names no file: use github://OWNER/REPO/PATH/FILE");
        }
        InputStream in = t.client.raw(t.location.path());
        if (in == null) {
            throw new StoreIOException(t.location.path() + " does not exist in github://" + t.location.owner()
                    + "/" + t.location.repo(), null);
        }
        return new StoreInputStream(in, t.describe());
    }

    @Override
    public String describe() {
        return location.toString();
    }

    /** Requests sent to GitHub by this target so far (tests and docs/github.md measure with it). */
    public int requests() {
        return client.calls();
    }

    @Override
    public Upload create(String name) throws IOException {
        IndexStore.Snapshot known = index.readForUpdate();
        justWritten = known.index();
        if (known.index().find(name).isPresent()) {
            throw StoreErrors.exists(name, describe(), null);
        }
        return new GitHubUpload(name, known, this);
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        BackupIndex current = justWritten != null ? justWritten : index.read();
        justWritten = null;
        known = current;
        return current.backups().stream().filter(e -> e.name().startsWith(prefix))
                .map(e -> new StoredObject(e.name(), e.size())).toList();
    }

    /**
     * The parts are files of their own: a range starts at the part that holds its first byte and skips within it
     * (the Contents API is not documented to serve byte ranges, so none are asked for; docs/github.md).
     */
    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        // Objects never change once committed: an entry of the index this store last saw still holds. Reads by range
        // (headers, footers, chunks) would each cost an index request otherwise.
        BackupIndex.Entry entry = known == null ? null : known.find(name).orElse(null);
        if (entry == null) {
            known = index.read();
            entry = known.find(name).orElseThrow(() -> StoreErrors.missing(name, describe(), null));
        }
        long skipped = 0;
        List<BackupIndex.Part> parts = entry.parts();
        int first = 0;
        while (first < parts.size() - 1 && skipped + parts.get(first).size() <= offset) {
            skipped += parts.get(first).size();
            first++;
        }
        InputStream whole = new PartsInputStream(client, location, entry, first);
        return new StoreInputStream(skipped == 0 && offset == 0 && length < 0 ? whole
                : Ranges.slice(whole, offset - skipped, length), describe());
    }

    /**
     * Removes the backup from the index first (then it is gone for every reader), then its files. A file that
     * cannot be deleted stays as an unlisted orphan, which is logged; it never makes a listing wrong.
     */
    @Override
    public void delete(String name) throws IOException {
        IndexStore.Snapshot known = index.readForUpdate();
        BackupIndex.Entry entry = known.index().find(name).orElse(null);
        if (entry == null) {
            return;
        }
        index.update(known, current -> current.without(name), "firesafe: remove " + name);
        this.known = null;
        deleteFiles(entry.parts(), "removed backup " + name);
    }

    void deleteFiles(List<BackupIndex.Part> parts, String why) {
        for (BackupIndex.Part p : parts) {
            try {
                client.delete(location.file(p.file()), p.blob(), "firesafe: " + why);
            } catch (IOException e) {
                LOG.warnf("%s: its file %s stays in %s: %s", why, p.file(), describe(), e.getMessage());
            }
        }
    }

    GitHubClient client() {
        return client;
    }

    IndexStore index() {
        return index;
    }

    GitHubLocation location() {
        return location;
    }

    int partSize() {
        return partSize;
    }

    void committed(BackupIndex written) {
        justWritten = written;
        known = written;
    }
}
