package dev.firesafe.host.trigger;

/** What a request does when its function already has a run queued or going. */
public enum Policy {
    /** Timers and startup: the run that is going covers this one; counted as skipped. */
    SKIP_IF_BUSY,
    /**
     * Messages, HTTP, run-function: the request joins the queued run, or queues one run to start after the current
     * one (state may have changed since it started); counted as coalesced when it joins.
     */
    COALESCE
}
