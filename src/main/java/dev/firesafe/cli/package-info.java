/**
 * The command line: picocli commands, each a thin adapter over services from {@code app.Services}, and the
 * launcher that answers help and usage errors and runs one-shot commands without the Quarkus runtime. The top
 * layer.
 */
package dev.firesafe.cli;
