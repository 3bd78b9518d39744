package dev.firesafe.cli;

final class EscrowWarning {
    static final String TEXT = "ESCROW THIS KEY NOW: copy it to a password manager or onto paper kept away from "
            + "this machine. Without it the backups cannot be decrypted by anyone, including you.";

    private EscrowWarning() {
    }
}
