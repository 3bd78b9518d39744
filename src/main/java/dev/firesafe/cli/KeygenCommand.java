package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.core.FiresafeConfig;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "keygen", description = {"Print a new master key (or write it to --out, mode 0600).",
    "With --rotate: the current key set plus a new primary key; old backups stay readable.",
    "With --write-only --out FILE: a key pair; the private recovery key goes to FILE, the public key for the "
        + "backup host is printed."})
class KeygenCommand implements Runnable {

    @Option(names = "--out", description = "Write the (private) key to this new file (0600) instead of stdout.")
    Path out;

    @Option(names = "--rotate", description = "Add a new primary key to the current key "
            + "(FIRESAFE_MASTER_KEY / _FILE / default key file) and output the whole set.")
    boolean rotate;

    @Option(names = "--write-only", description = "Make a key pair for write-only backups (needs --out).")
    boolean writeOnly;

    private final KeySource keys;
    private final FiresafeConfig config;

    @Inject
    KeygenCommand(Services services) {
        this.keys = services.keys();
        this.config = services.settings().firesafe();
    }

    @Override
    public void run() {
        if (writeOnly) {
            writeOnlyPair();
            return;
        }
        MasterKey key = rotate ? keys.requireMaster().rotate(config.segmentSize())
                : MasterKey.generate(config.segmentSize());
        if (out != null) {
            KeySource.writeKeyFile(out, key.toEscrowText());
            System.err.println("Wrote master key to " + out + " (mode 0600).");
        } else {
            System.out.println(key.toEscrowText());
        }
        System.err.println(EscrowWarning.TEXT);
    }

    private void writeOnlyPair() {
        if (out == null) {
            throw FiresafeException.usage("keygen --write-only needs --out FILE: the private recovery key is never "
                    + "printed, so it cannot end up in a terminal log on the backup host");
        }
        RecoveryKey recovery;
        if (rotate) {
            recovery = keys.forReading().recovery().stream().findFirst().orElseThrow(() -> FiresafeException.key(
                    "--rotate needs the current recovery key in FIRESAFE_MASTER_KEY or FIRESAFE_MASTER_KEY_FILE"))
                    .rotate();
        } else {
            recovery = RecoveryKey.generate();
        }
        KeySource.writeKeyFile(out, recovery.toEscrowText());
        System.err.println("Wrote the private recovery key to " + out + " (mode 0600). Move it OFF this host: "
                + "verify, restore and drill need it, backups do not.");
        System.err.println(EscrowWarning.TEXT);
        System.err.println("The public key below goes to the backup host as FIRESAFE_PUBLIC_KEY "
                + "(or FIRESAFE_PUBLIC_KEY_FILE):");
        System.out.println(recovery.publicKey().toText());
    }
}
