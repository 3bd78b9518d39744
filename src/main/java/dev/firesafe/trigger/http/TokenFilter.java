package dev.firesafe.trigger.http;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;

/** Guards every trigger endpoint with the bearer token when one is set ({@link BearerToken}). */
public class TokenFilter {

    @Inject
    BearerToken token;

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        if (token.accepts(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            return null;
        }
        return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type("application/json").entity(Map.of("error", "missing or wrong bearer token")).build();
    }
}
