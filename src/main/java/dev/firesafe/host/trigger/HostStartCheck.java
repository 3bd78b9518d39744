package dev.firesafe.host.trigger;

/**
 * Something the function host checks before it registers any trigger: a setting that is wrong now would otherwise
 * be found only when it matters (a request without a token, a failure whose notification cannot be sent). A check
 * that fails throws a {@code FiresafeException}, and {@code serve} exits with its message.
 */
public interface HostStartCheck {
    /** Throws when the host must not start; returns a caution the host logs when it may. */
    java.util.Optional<String> check();
}
