package dev.firesafe.command;

/** One streamed archive entry to produce: the stdout of {@code command}, stored as {@code entryName}. */
public record CommandJob(String entryName, ExternalCommand command) {
}
