package dev.firesafe.store.github;

/**
 * A GitHub token and where it came from. {@link #toString()} names only the origin, so a token that ends up in a
 * log line or an exception message by mistake still does not leak.
 */
public final class GitHubToken {
    private final String value;
    private final String origin;

    GitHubToken(String value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    String authorization() {
        return "Bearer " + value;
    }

    /** Where the token was found ("GITHUB_TOKEN", "GITHUB_TOKEN_FILE /run/secrets/gh"...), for error messages. */
    public String origin() {
        return origin;
    }

    /** True if {@code text} contains the token (tests and message scrubbing). */
    boolean appearsIn(String text) {
        return text != null && text.contains(value);
    }

    @Override
    public String toString() {
        return "token from " + origin;
    }
}
