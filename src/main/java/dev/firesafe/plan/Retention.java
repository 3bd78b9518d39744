package dev.firesafe.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How many backups to keep, with restic's {@code forget} semantics (applied by the retention issue's prune).
 * A null field means "no rule of that kind".
 */
public record Retention(@JsonProperty("keep-last") Integer keepLast,
                        @JsonProperty("keep-hourly") Integer keepHourly,
                        @JsonProperty("keep-daily") Integer keepDaily,
                        @JsonProperty("keep-weekly") Integer keepWeekly,
                        @JsonProperty("keep-monthly") Integer keepMonthly,
                        @JsonProperty("keep-yearly") Integer keepYearly) {
    public static final Retention KEEP_ALL = new Retention(null, null, null, null, null, null);
}
