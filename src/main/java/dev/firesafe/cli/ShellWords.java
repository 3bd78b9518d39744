package dev.firesafe.cli;

import java.util.regex.Pattern;

/** Words of the commands Firesafe prints for people to paste into a shell (sh, bash, zsh). */
final class ShellWords {

    /** What no POSIX shell or zsh expands or splits; anything else ('?' in a github:// target, say) is quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellWords() {
    }

    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
