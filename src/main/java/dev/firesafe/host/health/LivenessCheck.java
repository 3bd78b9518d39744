package dev.firesafe.host.health;

import dev.firesafe.core.Version;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** The process answers: nothing Firesafe does can be fixed by a restart except a hang, which this would show. */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("firesafe").up().withData("version", Version.current()).build();
    }
}
