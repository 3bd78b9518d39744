package dev.firesafe.store.github;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.Response;

/** A secrets service that answers a GET of its configured URL with the token as plain text. */
public interface SecretsServiceApi {
    @GET
    Response fetch(@HeaderParam("Accept") String accept);
}
