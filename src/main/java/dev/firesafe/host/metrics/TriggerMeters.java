package dev.firesafe.host.metrics;

import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.trigger.FunctionHost;
import dev.firesafe.host.trigger.FunctionRunner;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Collection;

/**
 * {@code firesafe_trigger_skipped_total{function}} and {@code firesafe_trigger_coalesced_total{function}}: the
 * function host's counts of triggers that found the function busy (timer, startup and drill: skipped) and of
 * requests that joined a queued run (message, HTTP: coalesced). Counters read from {@link FunctionRunner} when
 * scraped, so they always agree with {@code GET /functions}. Registered once the host has loaded its functions,
 * so only under {@code serve}; the label is the function's name (its file name).
 */
@ApplicationScoped
public class TriggerMeters {

    void register(@Observes StartupEvent start, FunctionHost host, FunctionCatalog catalog, FunctionRunner runner,
                  MeterRegistry registry) {
        host.started().thenRun(() -> bind(registry, runner,
                catalog.all().stream().map(FunctionDefinition::name).toList()));
    }

    static void bind(MeterRegistry registry, FunctionRunner runner, Collection<String> functions) {
        for (String function : functions) {
            FunctionCounter.builder("firesafe.trigger.skipped", runner, r -> r.snapshot(function).skipped())
                    .description("Timer, startup and drill triggers skipped because the function was busy")
                    .tags(FiresafeMetrics.FUNCTION, function).register(registry);
            FunctionCounter.builder("firesafe.trigger.coalesced", runner, r -> r.snapshot(function).coalesced())
                    .description("Message and HTTP requests that joined a run already queued")
                    .tags(FiresafeMetrics.FUNCTION, function).register(registry);
        }
    }
}
