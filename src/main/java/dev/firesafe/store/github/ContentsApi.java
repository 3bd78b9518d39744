package dev.firesafe.store.github;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;

import java.io.InputStream;

/**
 * The subset of GitHub's REST API Firesafe uses (repository contents), as a Quarkus REST Client interface. Built
 * programmatically per target ({@link GitHubClient}) because the base URL and token are runtime values. Every
 * method returns the raw {@link Response}: status codes drive retries and error messages, not exceptions.
 * {@code path} is passed already percent-encoded per segment, so its slashes stay slashes.
 */
@Path("/repos/{owner}/{repo}")
@ClientHeaderParam(name = "X-GitHub-Api-Version", value = GitHubClient.API_VERSION)
public interface ContentsApi {

    String JSON = "application/vnd.github+json";
    String RAW = "application/vnd.github.raw";
    /**
     * A file's metadata (sha, size) and, up to 1 MB, its base64 content. GitHub documents files of 1-100 MB as
     * supported only with this or the raw type (content "" and encoding "none" here), not with the default JSON.
     */
    String OBJECT = "application/vnd.github.object";

    /** The repository itself: tells "no backups yet" from "no such repository" when the index is missing. */
    @GET
    Response repository(@PathParam("owner") String owner, @PathParam("repo") String repo,
                        @HeaderParam("Accept") String accept, @HeaderParam("Authorization") String authorization);

    /** One branch, for the same reason. */
    @GET
    @Path("/branches/{branch}")
    Response branch(@PathParam("owner") String owner, @PathParam("repo") String repo,
                    @PathParam("branch") String branch, @HeaderParam("Accept") String accept,
                    @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/contents/{path}")
    Response get(@PathParam("owner") String owner, @PathParam("repo") String repo,
                 @PathParam("path") @Encoded String path, @QueryParam("ref") String ref,
                 @HeaderParam("Accept") String accept, @HeaderParam("Authorization") String authorization);

    /** Create or update a file; the body is a JSON object whose base64 {@code content} is produced while sent. */
    @PUT
    @Path("/contents/{path}")
    @Consumes(MediaType.APPLICATION_JSON)
    Response put(@PathParam("owner") String owner, @PathParam("repo") String repo,
                 @PathParam("path") @Encoded String path, @HeaderParam("Accept") String accept,
                 @HeaderParam("Authorization") String authorization, InputStream body);

    @DELETE
    @Path("/contents/{path}")
    @Consumes(MediaType.APPLICATION_JSON)
    Response delete(@PathParam("owner") String owner, @PathParam("repo") String repo,
                    @PathParam("path") @Encoded String path, @HeaderParam("Accept") String accept,
                    @HeaderParam("Authorization") String authorization, String body);
}
