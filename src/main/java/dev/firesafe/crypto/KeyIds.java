package dev.firesafe.crypto;

/** Key ids are shown as 8 hex digits everywhere (CLI, errors, list output). They are not secret. */
public final class KeyIds {
    private KeyIds() {
    }

    public static String format(int keyId) {
        return String.format("%08x", keyId);
    }
}
