package dev.firesafe.host.trigger;

import dev.firesafe.host.functions.FunctionCatalog;

import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The message trigger: CloudEvents (structured JSON) on the incoming channel {@code backup-requests}, whose
 * connector (in-memory, AMQP 1.0, MQTT, Kafka) is configuration. A message is acknowledged only when the run it
 * asked for has ended, success or recorded failure, so a host killed mid-backup gets it redelivered. The method
 * returns at once, so requests that arrive meanwhile reach {@link FunctionRunner} and are coalesced there.
 * A malformed message, or one naming no loaded function with a {@code message} trigger, goes to {@code backup-requests-dead-letter} with the
 * reason and is then acknowledged: it can never succeed, and must not block or crash the consumer.
 */
@ApplicationScoped
public class MessageTrigger {

    private static final Logger LOG = Logger.getLogger(MessageTrigger.class);

    private final FunctionRunner runner;
    private final FunctionCatalog catalog;
    private final FunctionHost host;
    private final Emitter<String> deadLetters;

    @Inject
    public MessageTrigger(FunctionRunner runner, FunctionCatalog catalog, FunctionHost host,
                          @Channel("backup-requests-dead-letter") Emitter<String> deadLetters) {
        this.runner = runner;
        this.catalog = catalog;
        this.host = host;
        this.deadLetters = deadLetters;
    }

    @Incoming("backup-requests")
    public CompletionStage<Void> onMessage(Message<?> message) {
        // messages may arrive before the host has loaded its functions: wait, never guess
        host.started().thenAccept(ignored -> handle(message)).exceptionally(e -> {
            LOG.errorf(e, "backup-requests: a message could not be handled; it stays unacknowledged");
            return null;
        });
        return CompletableFuture.completedFuture(null);
    }

    private void handle(Message<?> message) {
        String text = text(message.getPayload());
        CloudEvent event;
        FunctionDefinition function;
        try {
            event = CloudEvent.structured(text);
            function = CloudEvent.function(catalog, event.subject(), TriggerSpec.Kind.MESSAGE);
        } catch (CloudEvent.Malformed e) {
            deadLetter(message, text, e.getMessage());
            return;
        }
        LOG.infof("function %s: message %s asks for a run", function.name(), event.describe());
        runner.request(function.name(), "message", Policy.COALESCE).orElseThrow().done()
                .thenCompose(run -> message.ack());
    }

    private void deadLetter(Message<?> message, String text, String reason) {
        LOG.warnf("backup-requests: rejected a message: %s; sent to backup-requests-dead-letter", reason);
        String record = CloudEvent.json(Map.of("reason", reason, "payload", text));
        deadLetters.send(record).whenComplete((ok, failure) -> {
            if (failure != null) {
                // not acked: the broker keeps it, and it comes back after a restart
                LOG.errorf("could not write to backup-requests-dead-letter: %s", failure.getMessage());
            } else {
                message.ack();
            }
        });
    }

    /** The payload as text, whatever the connector made of it (bytes, a string, a JSON object, a buffer). */
    static String text(Object payload) {
        if (payload instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return String.valueOf(payload);
    }
}
