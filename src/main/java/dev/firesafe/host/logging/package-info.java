/**
 * The settings of JSON logs.
 */
package dev.firesafe.host.logging;
