package dev.firesafe.command;

/**
 * One streamed archive entry to produce: the stdout of {@code command}, stored as {@code entryName}. The command
 * is killed (with what it started) if the process is stopped meanwhile: its output could go nowhere.
 */
public record CommandJob(String entryName, ExternalCommand command) {
    public CommandJob {
        command = command.killedOnStop();
    }
}
