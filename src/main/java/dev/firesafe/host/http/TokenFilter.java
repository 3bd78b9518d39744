package dev.firesafe.host.http;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.util.Map;

/**
 * Guards every trigger endpoint with the bearer token when one is set ({@link BearerToken}). The one exception,
 * only with {@code firesafe.http.cloudevents-without-token=true}: {@link CloudEventsResource} ({@code POST /}),
 * whatever {@code Authorization} header the request carries (Knative's OIDC sender identity sends one that is not
 * Firesafe's token). Health and metrics are not JAX-RS resources and never pass through here.
 */
public class TokenFilter {

    @Inject
    BearerToken token;

    @ServerRequestFilter
    public Response check(ContainerRequestContext request, SimpleResourceInfo resource) {
        if (admits(resource == null ? null : resource.getResourceClass(),
                request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            return null;
        }
        return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type("application/json").entity(Map.of("error", "missing or wrong bearer token")).build();
    }

    /** Whether a request matched to {@code resourceClass} (null: none) with this header may go on. */
    boolean admits(Class<?> resourceClass, String authorization) {
        if (resourceClass == CloudEventsResource.class && token.cloudEventsWithoutToken()) {
            return true;
        }
        return token.accepts(authorization);
    }
}
