package dev.firesafe.host.http;

import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.FunctionStatus;
import dev.firesafe.host.trigger.Policy;
import dev.firesafe.host.trigger.RunState;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** {@code GET /functions}, {@code POST /functions/{name}} (202 with the run id) and {@code GET /runs/{id}}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class FunctionsResource {

    @Inject
    FunctionStatus status;

    @Inject
    FunctionCatalog catalog;

    @Inject
    FunctionRunner runner;

    @GET
    @Path("functions")
    public List<FunctionStatus.View> functions() {
        return status.all();
    }

    @POST
    @Path("functions/{name}")
    public Response run(@PathParam("name") String name) {
        FunctionDefinition f = catalog.find(name).orElseThrow(() -> new NotFoundException(Response.status(404)
                .type(MediaType.APPLICATION_JSON).entity(Map.of("error", "no function '" + name + "'")).build()));
        if (!f.accepts(TriggerSpec.Kind.HTTP)) {
            // explicit triggers only: a function without `type: http` cannot be started from the network
            return Response.status(403).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "function '" + name + "' has no http trigger")).build();
        }
        return accepted(runner.request(name, "http", Policy.COALESCE).orElseThrow());
    }

    @GET
    @Path("runs/{id}")
    public RunState runState(@PathParam("id") String id) {
        return runner.run(id).orElseThrow(() -> new NotFoundException(Response.status(404)
                .type(MediaType.APPLICATION_JSON).entity(Map.of("error", "no run '" + id + "'")).build()));
    }

    static Response accepted(FunctionRunner.Run run) {
        return Response.accepted(Map.of("runId", run.id(), "function", run.state().function()))
                .location(URI.create("/runs/" + run.id())).build();
    }
}
