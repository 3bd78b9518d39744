package dev.firesafe.host.trigger;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyIds;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.WriteOnlyKey;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Says at start-up, not a week later, that a host's drill triggers cannot succeed: a drill restores the newest
 * backup, so it needs the key that reads what this host writes. A write-only host (public key only) has none, and
 * one switched to write-only may still hold its old master key, which reads the old backups but not the new. The
 * drills still run and fail loudly, as any failed drill does; this only makes the cause visible at start.
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
        String cause;
        try {
            EncryptionKey writes = keys.forBackup();
            if (keys.forReading().reads(writes)) {
                return Optional.empty();
            }
            cause = writes instanceof WriteOnlyKey w
                    ? "new backups are write-only, and the key here that reads backups holds no recovery key for "
                    + "their public key (id " + KeyIds.format(w.publicKey().id()) + ")"
                    : "the key here that reads backups does not hold the master key new backups are made with";
        } catch (FiresafeException e) {
            cause = e.getMessage();
        }
        return Optional.of("the drill triggers of " + drilled + " will fail on this host: " + cause
                + ". Run drills where the recovery key is (drill --target URI), or remove the drill triggers");
    }
}
