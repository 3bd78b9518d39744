package dev.firesafe.store;

import dev.firesafe.store.local.LocalStore;
import dev.firesafe.store.s3.S3Location;
import dev.firesafe.store.s3.S3Store;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.FileNames;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.store.github.GitHubStore;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Turns a target URI from a plan or the command line into a {@link Store}. One place knows every scheme, so an
 * unknown one is refused with the list of known ones. Plain paths are local directories. S3 targets need the
 * {@code firesafe.s3.*} settings and credentials, hence an instance rather than static methods.
 */
public final class Stores {

    static final String KNOWN = "file://, s3://BUCKET/PREFIX, github://OWNER/REPO/PATH?branch=BRANCH, or a plain path";

    private final FiresafeConfig.S3 s3;
    private final FiresafeConfig.GitHub github;
    private final UnaryOperator<String> env;
    private final Predicate<String> ownNames;

    public Stores(FiresafeConfig config) {
        this(config, System::getenv);
    }

    /** {@code env} stands in for the process environment (credentials, *_FILE variables); tests pass their own. */
    public Stores(FiresafeConfig config, UnaryOperator<String> env) {
        this(config.s3(), config.github(), env);
    }

    public Stores(FiresafeConfig.S3 s3, UnaryOperator<String> env) {
        this(s3, null, env);
    }

    private Stores(FiresafeConfig.S3 s3, FiresafeConfig.GitHub github, UnaryOperator<String> env) {
        this(s3, github, env, name -> false);
    }

    private Stores(FiresafeConfig.S3 s3, FiresafeConfig.GitHub github, UnaryOperator<String> env,
                    Predicate<String> ownNames) {
        this.s3 = s3;
        this.github = github;
        this.env = env;
        this.ownNames = ownNames;
    }

    /**
     * This opener, told which object names Firesafe writes. Stores know no names of their own, yet an S3 target
     * cleans up unfinished multipart uploads that killed runs left behind: it aborts only uploads of such names,
     * never those of other tools sharing the bucket or prefix. Without it (listing, restore, prune) none are.
     */
    public Stores withOwnNames(Predicate<String> names) {
        return new Stores(s3, github, env, names);
    }

    public Store open(String uri) {
        if (uri == null || uri.isBlank()) {
            throw FiresafeException.usage("empty target");
        }
        Optional<Path> local = localFolder(uri);
        if (local.isPresent()) {
            return new LocalStore(local.get());
        }
        String scheme = uri.substring(0, uri.indexOf("://")).toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "s3":
                return S3Store.open(S3Location.parse(uri), s3, env, ownNames);
            case "github":
                if (github == null) {
                    throw FiresafeException.usage("github:// targets need the firesafe.github settings");
                }
                return GitHubStore.open(uri, github, env);
            default:
                throw FiresafeException.usage("unknown target scheme '" + scheme + "' in '" + uri
                        + "'; known: " + KNOWN);
        }
    }

    /** The folder of a local target ({@code file://} or a plain path); empty for every other scheme. */
    public static Optional<Path> localFolder(String uri) {
        int colon = uri.indexOf("://");
        if (colon < 0) {
            return Optional.of(FileNames.path(expandHome(uri))); // any locale (FileNames)
        }
        if (!uri.substring(0, colon).equalsIgnoreCase("file")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(URI.create(uri)));
        } catch (IllegalArgumentException e) {
            throw FiresafeException.usage("bad file target '" + uri + "': use file:///absolute/path");
        }
    }

    static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return System.getProperty("user.home") + path.substring(1);
        }
        return path;
    }
}
