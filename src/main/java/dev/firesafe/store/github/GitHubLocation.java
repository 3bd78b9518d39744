package dev.firesafe.store.github;

import dev.firesafe.core.FiresafeException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a {@code github://OWNER/REPO/PATH?branch=BRANCH} target keeps its files: a folder (possibly empty) of a
 * repository, on one branch (absent: the repository's default branch).
 */
public record GitHubLocation(String owner, String repo, String path, String branch) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    public static GitHubLocation parse(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw usage(uri, "not a valid URI");
        }
        String owner = u.getHost() != null ? u.getHost() : u.getAuthority();
        if (owner == null || !NAME.matcher(owner).matches()) {
            throw usage(uri, "missing or bad OWNER");
        }
        String rest = u.getPath() == null ? "" : u.getPath().replaceAll("^/+|/+$", "");
        int slash = rest.indexOf('/');
        String repo = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        if (!NAME.matcher(repo).matches()) {
            throw usage(uri, "missing or bad REPO");
        }
        for (String segment : path.split("/", -1)) {
            if (!path.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
                throw usage(uri, "PATH has an empty, '.' or '..' segment");
            }
        }
        String branch = null;
        if (u.getRawQuery() != null) {
            for (String param : u.getRawQuery().split("&")) {
                int eq = param.indexOf('=');
                String key = eq < 0 ? param : param.substring(0, eq);
                if (!key.equals("branch") || eq < 0 || eq == param.length() - 1) {
                    throw usage(uri, "the only query parameter is branch=BRANCH");
                }
                branch = URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return new GitHubLocation(owner, repo, path, branch);
    }

    private static FiresafeException usage(String uri, String why) {
        return FiresafeException.usage("bad GitHub target '" + uri + "': " + why
                + "; use github://OWNER/REPO/PATH?branch=BRANCH");
    }

    /** Repository path of {@code name}, a '/'-separated name relative to the target. */
    public String file(String name) {
        return path.isEmpty() ? name : path + "/" + name;
    }

    @Override
    public String toString() {
        return "github://" + owner + "/" + repo + (path.isEmpty() ? "" : "/" + path)
                + (branch == null ? "" : "?branch=" + branch);
    }
}
