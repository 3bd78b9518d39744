package dev.firesafe.host.http;

import dev.firesafe.core.FiresafeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BearerTokenTest {

    @TempDir
    Path tmp;

    private static HttpConfig config(String token, String file) {
        return config(token, file, false);
    }

    static HttpConfig config(String token, String file, boolean cloudEventsWithoutToken) {
        return new HttpConfig() {
            @Override
            public Optional<String> token() {
                return Optional.ofNullable(token);
            }

            @Override
            public Optional<String> tokenFile() {
                return Optional.ofNullable(file);
            }

            @Override
            public boolean cloudEventsWithoutToken() {
                return cloudEventsWithoutToken;
            }
        };
    }

    @Test
    void aTokenIsRequiredOnlyBeyondLoopback() {
        for (String host : new String[] {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
            assertDoesNotThrow(() -> new BearerToken(config(null, null), host).checkRequiredForHost(), host);
        }
        for (String host : new String[] {"0.0.0.0", "::", "192.168.1.10", "backup.example.org"}) {
            FiresafeException e = assertThrows(FiresafeException.class,
                    () -> new BearerToken(config(null, null), host).checkRequiredForHost(), host);
            assertTrue(e.getMessage().contains("FIRESAFE_HTTP_TOKEN"), e.getMessage());
        }
        assertDoesNotThrow(() -> new BearerToken(config("t0ken", null), "0.0.0.0").checkRequiredForHost());
    }

    @Test
    void cloudEventsWithoutTokenStillNeedsATokenBeyondLoopback() {
        // the option exempts POST / only; the start-up rule is unchanged, so the other endpoints stay protected
        FiresafeException e = assertThrows(FiresafeException.class,
                () -> new BearerToken(config(null, null, true), "0.0.0.0").checkRequiredForHost());
        assertTrue(e.getMessage().contains("FIRESAFE_HTTP_TOKEN"), e.getMessage());
        assertDoesNotThrow(() -> new BearerToken(config("t0ken", null, true), "0.0.0.0").checkRequiredForHost());
        assertTrue(new BearerToken(config("t0ken", null, true), "0.0.0.0").cloudEventsWithoutToken());
        assertFalse(new BearerToken(config("t0ken", null), "0.0.0.0").cloudEventsWithoutToken(), "off by default");
    }

    @Test
    void theHeaderMustCarryExactlyTheToken() throws IOException {
        Path file = Files.writeString(tmp.resolve("token"), "from-a-secret\n");
        BearerToken token = new BearerToken(config(null, file.toString()), "0.0.0.0");
        assertTrue(token.accepts("Bearer from-a-secret"));
        assertTrue(token.accepts("bearer from-a-secret"));
        assertFalse(token.accepts("Bearer from-a-secre"));
        assertFalse(token.accepts("Basic from-a-secret"));
        assertFalse(token.accepts(null));
        assertTrue(new BearerToken(config(null, null), "127.0.0.1").accepts(null), "no token: open on loopback");
    }

    @Test
    void anUnreadableTokenFileOrTwoTokensAreRefusedWithoutShowingThem() {
        FiresafeException missing = assertThrows(FiresafeException.class, () -> new BearerToken(
                config(null, tmp.resolve("absent").toString()), "127.0.0.1").checkRequiredForHost());
        assertTrue(missing.getMessage().contains("cannot read firesafe.http.token-file"), missing.getMessage());
        FiresafeException both = assertThrows(FiresafeException.class, () -> new BearerToken(
                config("hunter2", "/x"), "127.0.0.1").checkRequiredForHost());
        assertFalse(both.getMessage().contains("hunter2"));
    }
}
