package dev.firesafe.host.http;

import dev.firesafe.host.trigger.HostStartCheck;

import dev.firesafe.core.FiresafeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The optional bearer token of the trigger endpoints. Without one, anyone who can reach the port can start
 * backups, so it is required when the server listens beyond loopback. Never logged or echoed.
 *
 * <p>{@code firesafe.http.cloudevents-without-token} exempts CloudEvents on {@code POST /} from it ({@link
 * TokenFilter}), for senders that cannot add a header (Knative Eventing). It changes nothing else: the other
 * endpoints still need the token, and a host beyond loopback still refuses to start without one.
 */
@ApplicationScoped
public class BearerToken implements HostStartCheck {


    private final HttpConfig config;
    private final String host;
    private Optional<byte[]> token;

    @Inject
    public BearerToken(HttpConfig config, @ConfigProperty(name = "quarkus.http.host") String host) {
        this.config = config;
        this.host = host;
    }

    /** Read on first use, not at injection, so one-shot commands never touch the token file. */
    private synchronized Optional<byte[]> token() {
        if (token == null) {
            token = read(config);
        }
        return token;
    }

    private static Optional<byte[]> read(HttpConfig config) {
        if (config.token().isPresent() && config.tokenFile().isPresent()) {
            throw FiresafeException.usage("set firesafe.http.token or firesafe.http.token-file, not both");
        }
        Optional<String> text = config.token();
        if (config.tokenFile().isPresent()) {
            try {
                text = Optional.of(Files.readString(Path.of(config.tokenFile().get()), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw FiresafeException.usage("cannot read firesafe.http.token-file "
                        + config.tokenFile().get() + ": " + e.getClass().getSimpleName());
            }
        }
        return text.map(String::strip).filter(t -> !t.isEmpty()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether CloudEvents on {@code POST /} are accepted without the token (README, "Deployment examples"). */
    public boolean cloudEventsWithoutToken() {
        return config.cloudEventsWithoutToken();
    }

    public boolean enabled() {
        return token().isPresent();
    }

    /** Refuses a server bound beyond loopback without a token, and says when CloudEvents need none. */
    @Override
    public java.util.Optional<String> check() {
        checkRequiredForHost();
        return cloudEventsWithoutToken() ? java.util.Optional.of("firesafe.http.cloudevents-without-token=true: "
                + "CloudEvents on POST / are accepted without the bearer token (the other endpoints still need it); "
                + "the network must restrict who reaches this port, e.g. deploy/knative/networkpolicy.yaml")
                : java.util.Optional.empty();
    }

    /** Refuses a server bound beyond loopback without a token. */
    public void checkRequiredForHost() {
        if (token().isEmpty() && !isLoopback(host)) {
            throw FiresafeException.usage("quarkus.http.host=" + host + " is not a loopback address: set a bearer "
                    + "token (FIRESAFE_HTTP_TOKEN or FIRESAFE_HTTP_TOKEN_FILE) so that only you can start backups");
        }
    }

    /** Whether an {@code Authorization} header value carries the token; constant time in the token's bytes. */
    public boolean accepts(String authorization) {
        Optional<byte[]> expected = token();
        if (expected.isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected.get(), given);
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            // literal addresses only: no DNS lookup for a name, which then counts as not loopback
            return host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")
                    && InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
