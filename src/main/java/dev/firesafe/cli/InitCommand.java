package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.core.FiresafeConfig;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;

@Command(name = "init", description = {"Create the default master key file if there is no key yet.",
    "Safe to run again: an existing key is never replaced."})
class InitCommand implements Runnable {

    private final KeySource keys;
    private final FiresafeConfig config;

    @Inject
    InitCommand(Services services) {
        this.keys = services.keys();
        this.config = services.settings().firesafe();
    }

    @Override
    public void run() {
        Path file = keys.defaultKeyFile();
        if (config.masterKey().isPresent() || config.masterKeyFile().isPresent()) {
            System.out.println("A master key is configured (FIRESAFE_MASTER_KEY or FIRESAFE_MASTER_KEY_FILE); "
                    + "nothing to do.");
            return;
        }
        if (Files.exists(file)) {
            System.out.println("Master key already exists: " + file);
            return;
        }
        KeySource.writeKeyFile(file, MasterKey.generate(config.segmentSize()).toEscrowText());
        System.out.println("Created master key " + file + " (mode 0600).");
        System.err.println(EscrowWarning.TEXT + " (cat " + file + ")");
    }
}
