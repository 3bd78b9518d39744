/**
 * Webhook notifications of failed (and optionally successful) backups and drills; the one observer both the
 * host and one-shot commands have.
 */
package dev.firesafe.host.notify;
