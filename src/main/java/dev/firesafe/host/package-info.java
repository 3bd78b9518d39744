/**
 * The long-running function host ({@code serve}): triggers, the loaded functions, health, metrics,
 * notifications and logging. Built on the engine; never used by one-shot commands except the notifier.
 */
package dev.firesafe.host;
