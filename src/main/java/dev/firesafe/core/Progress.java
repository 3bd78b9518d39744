package dev.firesafe.core;

/** Receives byte counts while a run goes on; called from pipeline threads, so it must be cheap and thread-safe. */
@FunctionalInterface
public interface Progress {
    Progress NONE = done -> {
    };

    void bytesDone(long done);
}
