package dev.firesafe.core;

import java.io.IOException;

/**
 * Decryption found ciphertext that does not authenticate: flipped bits, a cut-off end, or a header that was
 * edited. Distinct from the target's own read errors so the CLI can say "damaged" rather than "unreachable".
 */
public final class TamperedException extends IOException {
    public TamperedException(String message, Throwable cause) {
        super(message, cause);
    }
}
