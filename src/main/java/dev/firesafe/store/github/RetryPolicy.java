package dev.firesafe.store.github;

import dev.firesafe.core.StoreIOException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * When to try a GitHub request again and how long to wait first. Two separate allowances, because the causes
 * differ: transient failures (5xx, dropped connections, timeouts) get {@code maxRetries} retries per request with
 * doubling backoff; rate limits are waited out as GitHub asks, but all waits of one target together stay within
 * {@code rateLimitBudget}, so a long reset time fails the run clearly instead of stalling it for an hour.
 */
final class RetryPolicy {

    /** GitHub documents "wait at least one minute" for secondary limits that name no time. */
    static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final int maxRetries;
    private final Duration backoff;
    private final Duration rateLimitBudget;
    private final Clock clock;
    private final Sleeper sleeper;
    private Duration rateLimitWaited = Duration.ZERO;
    private int secondaryLimits;

    RetryPolicy(int maxRetries, Duration backoff, Duration rateLimitBudget, Clock clock, Sleeper sleeper) {
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.rateLimitBudget = rateLimitBudget;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    int maxRetries() {
        return maxRetries;
    }

    /** Waits before transient-failure retry number {@code retry} (1-based): backoff, 2x, 4x... capped at 1 min. */
    void backOff(int retry, String what) throws StoreIOException {
        Duration wait = backoff.multipliedBy(1L << Math.min(retry - 1, 20));
        sleep(wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait, what);
    }

    /**
     * The wait a rate-limit answer asks for, or null if the answer is not a rate limit. {@code retryAfter},
     * {@code remaining}, {@code reset} and {@code date} are the raw header values (may be null).
     */
    Duration rateLimitWait(int status, String retryAfter, String remaining, String reset, String date, String body) {
        if (status != 403 && status != 429) {
            return null;
        }
        if (retryAfter != null) {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.trim())));
            } catch (NumberFormatException e) {
                return secondaryLimitWait();
            }
        }
        if ("0".equals(remaining == null ? null : remaining.trim()) && reset != null) {
            try {
                Instant at = Instant.ofEpochSecond(Long.parseLong(reset.trim()));
                Duration until = Duration.between(serverNow(date), at);
                // the reset second itself; never zero, so a reset just passed is not retried in a tight loop
                return until.isNegative() ? Duration.ofSeconds(1) : until.plusSeconds(1);
            } catch (NumberFormatException e) {
                return secondaryLimitWait();
            }
        }
        if (status == 429 || (body != null && body.toLowerCase(java.util.Locale.ROOT).contains("rate limit"))) {
            return secondaryLimitWait();
        }
        return null; // a plain 403: permissions, not a limit
    }

    /**
     * A rate limit that names no time: GitHub asks for at least a minute, then exponentially longer waits while
     * it goes on (GitHub may ban a client that keeps asking while limited). The budget still caps the total.
     */
    private Duration secondaryLimitWait() {
        return SECONDARY_LIMIT_WAIT.multipliedBy(1L << Math.min(secondaryLimits++, 10));
    }

    /**
     * GitHub's time, from the Date of its answer: the reset is an instant on GitHub's clock, and a local clock
     * that runs ahead would otherwise see it as past and retry at once, which GitHub may answer with a ban.
     */
    private Instant serverNow(String date) {
        if (date != null) {
            try {
                return ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                // no usable Date: the local clock is all there is
            }
        }
        return clock.instant();
    }

    /** Waits out a rate limit if the budget allows it, else fails saying how long GitHub asked to wait. */
    void waitForRateLimit(Duration wait, String what) throws StoreIOException {
        Duration left = rateLimitBudget.minus(rateLimitWaited);
        if (wait.compareTo(left) > 0) {
            throw new StoreIOException(what + ": GitHub's rate limit asks to wait " + seconds(wait)
                    + " (until " + clock.instant().plus(wait).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "), more than the "
                    + seconds(left.isNegative() ? Duration.ZERO : left) + " left of firesafe.github.rate-limit-budget ("
                    + seconds(rateLimitBudget) + "); try again later or raise the budget", null);
        }
        rateLimitWaited = rateLimitWaited.plus(wait);
        sleep(wait, what);
    }

    private void sleep(Duration d, String what) throws StoreIOException {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreIOException(what + ": interrupted while waiting to retry", e);
        }
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + " s";
    }
}
