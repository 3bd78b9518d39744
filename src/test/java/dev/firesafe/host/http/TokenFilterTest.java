package dev.firesafe.host.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which endpoint needs the token: with {@code firesafe.http.cloudevents-without-token} only CloudEvents on
 * {@code POST /} go without it (Knative Eventing sends no header). Through HTTP: {@code FunctionHostIT}.
 */
class TokenFilterTest {

    private static final String TOKEN = "t0ken";

    private static TokenFilter filter(String token, boolean cloudEventsWithoutToken) {
        TokenFilter filter = new TokenFilter();
        filter.token = new BearerToken(BearerTokenTest.config(token, null, cloudEventsWithoutToken), "0.0.0.0");
        return filter;
    }

    @Test
    void withTheOptionOnlyCloudEventsGoWithoutTheToken() {
        TokenFilter filter = filter(TOKEN, true);
        assertTrue(filter.admits(CloudEventsResource.class, null), "a Knative delivery has no Authorization");
        // Knative's OIDC sender identity sends its own bearer JWT, which is not Firesafe's token
        assertTrue(filter.admits(CloudEventsResource.class, "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
        assertFalse(filter.admits(FunctionsResource.class, null), "POST /functions/{name}, GET /runs, /functions");
        assertFalse(filter.admits(FunctionsResource.class, "Bearer wrong"));
        assertTrue(filter.admits(FunctionsResource.class, "Bearer " + TOKEN));
        assertFalse(filter.admits(null, null), "a request matched to no resource");
    }

    @Test
    void withoutTheOptionEveryEndpointNeedsTheToken() {
        TokenFilter filter = filter(TOKEN, false);
        assertFalse(filter.admits(CloudEventsResource.class, null));
        assertFalse(filter.admits(CloudEventsResource.class, "Bearer wrong"));
        assertTrue(filter.admits(CloudEventsResource.class, "Bearer " + TOKEN));
        assertFalse(filter.admits(FunctionsResource.class, null));
    }

    @Test
    void withoutATokenNothingIsChecked() {
        // loopback without a token: open, as before; the option changes nothing there
        assertTrue(filter(null, false).admits(FunctionsResource.class, null));
        assertTrue(filter(null, true).admits(CloudEventsResource.class, null));
    }
}
