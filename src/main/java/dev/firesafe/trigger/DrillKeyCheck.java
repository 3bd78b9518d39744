package dev.firesafe.trigger;

import dev.firesafe.FiresafeException;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Says at start-up, not a week later, that a host's drill triggers cannot succeed: a drill restores, so it needs
 * the key that reads backups, which a write-only host (public key only) does not hold. The drills still run and
 * fail loudly, as any failed drill does; this only makes the cause visible when the host starts.
 */
final class DrillKeyCheck {

    private DrillKeyCheck() {
    }

    /** A warning naming the functions with a drill trigger, when no key here can read their backups. */
    static Optional<String> warning(Collection<FunctionDefinition> functions, KeySource keys) {
        List<String> drilled = functions.stream()
                .filter(f -> f.triggers().stream().anyMatch(t -> t.kind() == TriggerSpec.Kind.DRILL))
                .map(FunctionDefinition::name).toList();
        if (drilled.isEmpty()) {
            return Optional.empty();
        }
        try {
            keys.forReading();
            return Optional.empty();
        } catch (FiresafeException e) {
            return Optional.of("the drill triggers of " + drilled + " will fail on this host: " + e.getMessage()
                    + ". Run drills where the recovery key is (drill --target URI), or remove the drill triggers");
        }
    }
}
