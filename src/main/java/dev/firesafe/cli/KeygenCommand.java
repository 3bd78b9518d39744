package dev.firesafe.cli;

import dev.firesafe.app.Services;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeyFileReplacement;
import dev.firesafe.crypto.KeyIds;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.core.FiresafeConfig;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

@Command(name = "keygen", description = {"Print a new master key (or write it to --out, mode 0600).",
    "With --rotate: the current key set plus a new primary key; old backups stay readable.",
    "With --rotate --in-place: the same, written over the key file in use (the old one is kept beside it).",
    "With --write-only --out FILE: a key pair; the private recovery key goes to FILE, the public key for the "
        + "backup host is printed."})
class KeygenCommand implements Runnable {

    @Option(names = "--out", description = "Write the (private) key to this new file (0600) instead of stdout; "
            + "with --rotate, naming the key file in use rotates it as --in-place does.")
    Path out;

    @Option(names = "--rotate", description = "Add a new primary key to the current key "
            + "(FIRESAFE_MASTER_KEY / _FILE / default key file) and output the whole set.")
    boolean rotate;

    @Option(names = "--write-only", description = "Make a key pair for write-only backups (needs --out).")
    boolean writeOnly;

    @Option(names = "--in-place", description = "With --rotate: replace the key file the current key was read "
            + "from (FIRESAFE_MASTER_KEY_FILE, else the default key file) in one atomic step, keeping the old one "
            + "beside it as FILE.previous-TIME. Never 'keygen --rotate > FILE': the shell empties FILE first.")
    boolean inPlace;

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
        if (inPlace && !rotate) {
            throw FiresafeException.usage("--in-place needs --rotate: a new key alone would not open the backups "
                    + "made so far");
        }
        Optional<Path> keyFile = rotate ? keys.masterKeyFile() : Optional.empty();
        if (inPlace || out != null && keyFile.isPresent() && Files.exists(out) && sameFile(out, keyFile.get())) {
            rotateInPlace(keyFile);
            return;
        }
        if (rotate && out != null && Files.exists(out)) {
            throw FiresafeException.usage(out + " exists already and is not the key file in use"
                    + keyFile.map(f -> " (" + f + ")").orElse("") + "; not replacing it (an old key may be the only "
                    + "one that opens old backups). To rotate the key file in use: keygen --rotate --in-place");
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

    /**
     * Rotates the key file the key is read from, so {@code serve}, timers and cron, which read that file, use the
     * new key from their next backup on (issue #19). Only a file holding just a master key is replaced: one that
     * also holds recovery keys would lose them.
     */
    private void rotateInPlace(Optional<Path> keyFile) {
        if (out != null && keyFile.isPresent() && !sameFile(out, keyFile.get())) {
            throw FiresafeException.usage("--in-place replaces the key file in use (" + keyFile.get() + "); "
                    + "leave out --out, or leave out --in-place to write a new file");
        }
        Path file = keyFile.orElseThrow(() -> FiresafeException.usage(config.masterKey().isPresent()
                ? "the key comes from FIRESAFE_MASTER_KEY, not from a file, so there is no file to replace: "
                    + "use --out FILE, or point FIRESAFE_MASTER_KEY_FILE at the key file"
                : "no key file to rotate: set FIRESAFE_MASTER_KEY_FILE, or run 'init' to create "
                    + keys.defaultKeyFile()));
        String origin = keys.describe(file);
        byte[] old;
        try {
            old = Files.readAllBytes(file);
        } catch (IOException e) {
            throw FiresafeException.key("cannot read " + origin + ": " + e.getClass().getSimpleName());
        }
        String oldText = new String(old, StandardCharsets.UTF_8);
        MasterKey current = KeySource.masterFrom(oldText, origin);
        if (!KeyRing.parse(oldText, origin).recovery().isEmpty()) {
            throw FiresafeException.usage(origin + " holds recovery keys besides the master key; --in-place would "
                    + "drop them. Rotate into a new file with --out FILE");
        }
        MasterKey rotated = current.rotate(config.segmentSize());
        Path previous = KeyFileReplacement.replace(file, old, rotated.toEscrowText(), Instant.now());
        System.err.println("Rotated the master key in " + file + ": new primary key " + KeyIds.format(
                rotated.primaryKeyId()) + "; it holds the old keys too, so every backup made so far stays readable. "
                + "The previous file is kept as " + previous + " (it cannot read backups made from now on). "
                + "Services that read " + file + " use the new key from their next backup on.");
        System.err.println(EscrowWarning.TEXT + " The new file replaces your escrowed copy (cat " + file + ").");
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private void writeOnlyPair() {
        if (inPlace) {
            throw FiresafeException.usage("--in-place rotates the master key file; rotate a write-only pair into "
                    + "a new file with --out FILE");
        }
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
