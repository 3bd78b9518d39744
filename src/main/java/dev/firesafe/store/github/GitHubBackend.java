package dev.firesafe.store.github;

import dev.firesafe.store.Store;
import dev.firesafe.store.StoreBackend;
import dev.firesafe.store.StoreUri;

import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * Folders of GitHub repository branches, written through the Contents API:
 * {@code github://OWNER/REPO/PATH?branch=BRANCH}. One REST client serves every GitHub store of the process and is
 * closed with the backend.
 */
public final class GitHubBackend implements StoreBackend {

    private final GitHubConfig config;
    private final UnaryOperator<String> env;
    private ContentsApi api;

    /** {@code env} stands in for the process environment (GITHUB_TOKEN, GITHUB_TOKEN_FILE); tests pass their own. */
    public GitHubBackend(GitHubConfig config, UnaryOperator<String> env) {
        this.config = config;
        this.env = env;
    }

    @Override
    public String scheme() {
        return "github";
    }

    @Override
    public String form() {
        return "github://OWNER/REPO/PATH?branch=BRANCH";
    }

    @Override
    public String check(StoreUri uri) {
        GitHubStore.checkPartSize(config);
        return GitHubLocation.parse(uri.text()).toString();
    }

    @Override
    public Store open(StoreUri uri) {
        return GitHubStore.open(api(), GitHubLocation.parse(uri.text()), config, env, Clock.systemUTC(),
                Sleeper.REAL);
    }

    private synchronized ContentsApi api() {
        if (api == null) {
            api = GitHubClient.restClient(config.apiUrl(), config.timeout());
        }
        return api;
    }

    @Override
    public synchronized void close() {
        if (api instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                // nothing was in flight: the process is done with GitHub
            }
        }
        api = null;
    }
}
