package dev.firesafe.host.http;

import dev.firesafe.host.trigger.CloudEvent;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.Policy;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * {@code POST /}: a CloudEvent from a Knative trigger (or anything else) asks for a run of the function or plan
 * its {@code subject} names; the function must declare an {@code http} trigger. Structured mode
 * ({@code application/cloudevents+json}) and binary mode ({@code ce-*} headers) are both accepted; the answer is
 * 202 with the run id, or 400 saying what is wrong.
 *
 * <p>With {@code firesafe.http.cloudevents-without-token=true} this class is reachable without the bearer token
 * ({@link TokenFilter}), so it must stay this small: ask for a coalesced run of a function with an {@code http}
 * trigger, answer with nothing but the run id. Anything that reads state or takes other input belongs elsewhere.
 */
@Path("/")
public class CloudEventsResource {

    private static final Logger LOG = Logger.getLogger(CloudEventsResource.class);

    @Inject
    FunctionCatalog catalog;

    @Inject
    FunctionRunner runner;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(HttpHeaders headers, String body) {
        CloudEvent event;
        FunctionDefinition function;
        try {
            MediaType type = headers.getMediaType();
            boolean structured = type != null && type.getSubtype().startsWith("cloudevents");
            event = structured ? CloudEvent.structured(body)
                    : CloudEvent.binary(headers::getHeaderString, body);
            function = CloudEvent.function(catalog, event.subject(), TriggerSpec.Kind.HTTP);
        } catch (CloudEvent.Malformed e) {
            LOG.warnf("POST /: rejected a CloudEvent: %s", e.getMessage());
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage()))
                    .build();
        }
        LOG.infof("function %s: CloudEvent %s asks for a run", function.name(), event.describe());
        return FunctionsResource.accepted(runner.request(function.name(), "cloudevent", Policy.COALESCE)
                .orElseThrow());
    }
}
