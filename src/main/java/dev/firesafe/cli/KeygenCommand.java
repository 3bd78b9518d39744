package dev.firesafe.cli;

import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.FiresafeConfig;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "keygen", description = {"Print a new master key (or write it to --out, mode 0600).",
    "With --rotate: the current key set plus a new primary key; old backups stay readable."})
class KeygenCommand implements Runnable {

    @Option(names = "--out", description = "Write the key to this new file (0600) instead of stdout.")
    Path out;

    @Option(names = "--rotate", description = "Add a new primary key to the current master key "
            + "(FIRESAFE_MASTER_KEY / _FILE / default key file) and print the whole set.")
    boolean rotate;

    @Inject
    KeySource keys;

    @Inject
    FiresafeConfig config;

    @Override
    public void run() {
        MasterKey key = rotate ? keys.require().rotate(config.segmentSize()) : MasterKey.generate(config.segmentSize());
        if (out != null) {
            KeySource.writeKeyFile(out, key.toEscrowText());
            System.err.println("Wrote master key to " + out + " (mode 0600).");
        } else {
            System.out.println(key.toEscrowText());
        }
        System.err.println(EscrowWarning.TEXT);
    }
}
