/**
 * The composition root: {@link dev.firesafe.app.Services} builds every service from the configuration, once, by
 * plain constructors; the one-shot CLI uses it directly and Quarkus through {@link
 * dev.firesafe.app.ServiceProducers}. May use every layer below.
 */
package dev.firesafe.app;
